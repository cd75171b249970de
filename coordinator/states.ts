// The closed sets of shard and worker states and their legal transitions. An illegal transition is
// a bug in the scheduler, reported with from, to and why.
export type ShardState = 'queued' | 'leased' | 'done';
// A worker is rejected (wrong model) or retired (too many failed shards) for the rest of the run.
export type WorkerState = 'joining' | 'ready' | 'rejected' | 'retired' | 'lost' | 'gone';

const SHARD_TRANSITIONS: Record<ShardState, readonly ShardState[]> = {
  queued: ['leased'],
  leased: ['done', 'queued'],
  done: [],
};

const WORKER_TRANSITIONS: Record<WorkerState, readonly WorkerState[]> = {
  joining: ['joining', 'ready', 'rejected', 'lost', 'gone'],
  ready: ['joining', 'lost', 'gone', 'retired'],
  rejected: [],
  retired: [],
  lost: ['joining'],
  gone: ['joining'],
};

export class TransitionError extends Error {
  override readonly name = 'TransitionError';
  constructor(what: string, from: string, to: string, why: string) {
    super(`${what}: illegal transition ${from} → ${to} (${why})`);
  }
}

export function checkShardTransition(id: number, from: ShardState, to: ShardState, why: string): void {
  if (!SHARD_TRANSITIONS[from].includes(to)) throw new TransitionError(`shard ${id}`, from, to, why);
}

export function checkWorkerTransition(id: string, from: WorkerState, to: WorkerState, why: string): void {
  if (!WORKER_TRANSITIONS[from].includes(to)) throw new TransitionError(`worker ${id}`, from, to, why);
}
