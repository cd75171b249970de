// How long a worker waits before its next attempt to reach the coordinator: doubling from the base
// delay, capped, so a restarting coordinator is found quickly and a dead one is not hammered.
export function retryDelay(attempt: number, baseMs: number, capMs = 30_000): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
}
