// Closed state sets with explicit transition tables (the scheduler's shards and workers, the worker
// agent's phases): an illegal transition is a bug, reported with from, to and why.
export class TransitionError extends Error {
  override readonly name = 'TransitionError';
  constructor(what: string, from: string, to: string, why: string) {
    super(`${what}: illegal transition ${from} → ${to} (${why})`);
  }
}

/**
 * Throws a TransitionError unless `table` lets `what` go from `from` to `to`. `what` may be a
 * function, called only for the error: a label built from an id costs a string per call on paths
 * that check several transitions per message (the scheduler's shards).
 */
export function checkTransition<S extends string>(table: Readonly<Record<S, readonly S[]>>, what: string | (() => string), from: S, to: S, why: string): void {
  if (!table[from].includes(to)) throw new TransitionError(typeof what === 'string' ? what : what(), from, to, why);
}
