// The closed sets of shard and worker states and their legal transitions. An illegal transition is
// a bug in the scheduler, reported with from, to and why.
import { checkTransition } from '../common/transition.js';

// A queued shard may be split in two new shards (sized for its worker): the cut one is gone.
export type ShardState = 'queued' | 'leased' | 'done' | 'split';
// A worker is rejected (wrong model) or retired (too many failed shards) for the rest of the run.
export type WorkerState = 'joining' | 'ready' | 'rejected' | 'retired' | 'lost' | 'gone';

const SHARD_TRANSITIONS: Record<ShardState, readonly ShardState[]> = {
  queued: ['leased', 'split'],
  leased: ['done', 'queued'],
  done: [],
  split: [],
};

const WORKER_TRANSITIONS: Record<WorkerState, readonly WorkerState[]> = {
  joining: ['joining', 'ready', 'rejected', 'lost', 'gone'],
  ready: ['joining', 'lost', 'gone', 'retired'],
  rejected: [],
  retired: [],
  lost: ['joining'],
  gone: ['joining'],
};

export function checkShardTransition(id: number, from: ShardState, to: ShardState, why: string): void {
  checkTransition(SHARD_TRANSITIONS, () => `shard ${id}`, from, to, why); // several times per result message
}

export function checkWorkerTransition(id: string, from: WorkerState, to: WorkerState, why: string): void {
  checkTransition(WORKER_TRANSITIONS, `worker ${id}`, from, to, why);
}
