// What a failure costs, as small pure rules: which errors are not worth a retry, when a worker has
// failed too often to keep, which queued shard a worker may take, and how long a shard may be held.

/** Errors that recur wherever the shard runs (a malformed file, an impossible argument): no retry. */
const DETERMINISTIC_CODES: ReadonlySet<string> = new Set(['E_FORMAT', 'E_ARGUMENT']);

function isDeterministic(code: string | undefined): boolean {
  return code !== undefined && DETERMINISTIC_CODES.has(code);
}

export interface FailureLimits {
  maxShardAttempts: number; // failures of one shard before the run aborts
  maxWorkerFailures: number; // failures of one worker before it is retired
}

export type FailureVerdict = { kind: 'abort'; reason: string } | { kind: 'retire'; reason: string } | { kind: 'retry' };

/** After a failure of a shard (its `shardFailures`th) on a worker (its `workerFailures`th). */
export function judgeFailure(
  failure: { code?: string; message: string; shardFailures: number; workerFailures: number },
  limits: FailureLimits,
): FailureVerdict {
  const what = `${failure.code ? `${failure.code}: ` : ''}${failure.message}`;
  if (isDeterministic(failure.code)) return { kind: 'abort', reason: `${what} (not retried: it would fail the same way anywhere)` };
  if (failure.shardFailures >= limits.maxShardAttempts) return { kind: 'abort', reason: `failed ${failure.shardFailures} times; last: ${what}` };
  if (failure.workerFailures >= limits.maxWorkerFailures) return { kind: 'retire', reason: `retired after ${failure.workerFailures} failed shards; last: ${what}` };
  return { kind: 'retry' };
}

/**
 * A worker does not get back a shard it failed while some other live worker has not failed it too
 * (otherwise one bad worker would take its failed shard again and again while a healthy one waits).
 */
export function mayTake(worker: string, failedBy: ReadonlySet<string>, live: readonly string[]): boolean {
  return !failedBy.has(worker) || live.every((w) => failedBy.has(w));
}

/** How long a worker may hold a shard before it has finished any (no rate measured yet). */
export const UNMEASURED_SHARD_TIMEOUT_MS = 3_600_000;

/** How much longer than expected a shard may take before it is taken back. */
const SHARD_TIMEOUT_MARGIN = 4;

/**
 * How long a shard may stay with its worker: the margin × the time that worker needs, at its
 * measured rows/s, for every shard it holds (they run one after another), and never less than
 * `floorMs`. Undefined before the worker has finished any shard (no rate to go by).
 */
export function derivedShardTimeoutMs(rowsHeld: number, rowsPerSecond: number | undefined, floorMs: number): number | undefined {
  if (rowsPerSecond === undefined || !(rowsPerSecond > 0)) return undefined;
  return Math.max(floorMs, Math.ceil((SHARD_TIMEOUT_MARGIN * rowsHeld * 1000) / rowsPerSecond));
}
