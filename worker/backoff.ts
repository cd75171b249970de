// How long a worker waits before its next attempt to reach the coordinator: doubling from the base
// delay, capped, so a restarting coordinator is found quickly and a dead one is not hammered. Each
// delay is drawn from its upper half ("equal jitter"), so that the workers of a restarted coordinator
// do not all come back at the same moments.
export function retryDelay(attempt: number, baseMs: number, capMs = 30_000, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return ceiling / 2 + random() * (ceiling / 2);
}
