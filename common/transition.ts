// Closed state sets with explicit transition tables (the scheduler's shards and workers, the worker
// agent's phases): an illegal transition is a bug, reported with from, to and why.
export class TransitionError extends Error {
  override readonly name = 'TransitionError';
  constructor(what: string, from: string, to: string, why: string) {
    super(`${what}: illegal transition ${from} → ${to} (${why})`);
  }
}

/** Throws a TransitionError unless `table` lets `what` go from `from` to `to`. */
export function checkTransition<S extends string>(table: Readonly<Record<S, readonly S[]>>, what: string, from: S, to: S, why: string): void {
  if (!table[from].includes(to)) throw new TransitionError(what, from, to, why);
}
