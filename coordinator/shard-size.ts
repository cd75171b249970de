// Shard sizing by time, pure: how many rows a worker's next shard should hold, from its measured
// rows/s and the fleet's. Guided self-scheduling in seconds rather than rows: each shard takes
// 1/GUIDED of the time the fleet still needs for the unassigned rows, at most the target time and at
// least the minimum, so shards are large while much is left and shrink together at the end, and a
// straggler's shards are as long in seconds (so fewer rows) as a fast worker's.

/** The fleet's remaining time is split this many ways per worker (the k of guided self-scheduling). */
const GUIDED = 2;

export interface SizingPolicy {
  targetSeconds: number; // a shard takes at most this long at its worker's speed
  minSeconds: number; // and, however little is left, at least this long (each result costs the coordinator)
  minRows: number; // and never fewer rows than this
}

export interface SizingState {
  unassignedRows: number; // rows not yet leased to any worker
  fleetRowsPerSecond: number; // the ready workers' summed speed
  workerRowsPerSecond: number | undefined; // the asking worker's measured speed (undefined: none yet)
}

/** Rows for the asking worker's next shard, or undefined before its speed is measured (the plan's size stands). */
export function shardRows(policy: SizingPolicy, state: SizingState): number | undefined {
  const rate = state.workerRowsPerSecond;
  if (rate === undefined || !(rate > 0) || !(state.fleetRowsPerSecond > 0)) return undefined;
  const share = state.unassignedRows / state.fleetRowsPerSecond / GUIDED;
  const seconds = Math.max(policy.minSeconds, Math.min(policy.targetSeconds, share));
  return Math.max(policy.minRows, 1, Math.round(rate * seconds));
}
