// Plain checks for the messages that come thousands of times a second: a worker's results, requests
// and heartbeats, the coordinator's assignments and heartbeats. The zod schemas (messages.ts) stay the
// definition: these accept only what the schema accepts and returns unchanged (test/protocol-fast-accept.test.ts
// holds them to it), and leave everything else (another message type, an unknown key, a bad value) to
// zod, which decides and names the problem. Why: zod checks a two-shard result in 2–4 µs once V8 has
// optimized its generic parsers, but in 40–100 µs in each of a process's first thousand messages and
// ~15 µs in the next two thousand: about 0.1 s of CPU in each process at the start of a run, a tenth
// of a one-second run of 20000 shards. These cost a few µs cold and well under one warm
// (docs/performance.md).
import type { Assign, CoordinatorMessage, FinishedShard, WorkerMessage } from './messages.js';

const MAX_LIST = 4096; // the schemas' limit on shards per message and on a heartbeat's held shards

type Fields = Record<string, unknown>;

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every key is one of `keys` (the schema would strip another: zod decides those). */
function onlyKeys(fields: Fields, keys: ReadonlySet<string>): boolean {
  for (const key in fields) if (!keys.has(key)) return false;
  return true;
}

// zod's z.number() is finite, .int() a safe integer.
function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isPositive(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) > 0;
}

function isAmount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function isList(value: unknown, min: number, max: number, item: (x: unknown) => boolean): boolean {
  if (!Array.isArray(value) || value.length < min || value.length > max) return false;
  for (const x of value) if (!item(x)) return false;
  return true;
}

const finishedKeys = new Set(['shard', 'begin', 'end', 'categories', 'seconds', 'edges', 'callSeconds', 'inputBytes']);
function isFinishedShard(value: unknown): value is FinishedShard {
  return isFields(value) && onlyKeys(value, finishedKeys)
    && isCount(value.shard) && isCount(value.begin) && isCount(value.end) && isList(value.categories, 0, Infinity, isPositive)
    && isAmount(value.seconds) && isAmount(value.edges)
    && (value.callSeconds === undefined || isAmount(value.callSeconds)) && (value.inputBytes === undefined || isCount(value.inputBytes));
}

// Shards of shared mode only: one carrying its rows (streamed mode) has `inputs`, and goes to zod.
const assignedKeys = new Set(['shard', 'begin', 'end']);
function isAssignedShard(value: unknown): value is Assign['shards'][number] {
  return isFields(value) && onlyKeys(value, assignedKeys) && isCount(value.shard) && isCount(value.begin) && isCount(value.end);
}

const resultKeys = new Set(['type', 'shards', 'request']);
const requestKeys = new Set(['type', 'count']);
const workerHeartbeatKeys = new Set(['type', 'held', 'seen']);
const assignKeys = new Set(['type', 'mark', 'shards']);
const heartbeatKeys = new Set(['type', 'mark']);

/** The value as a worker's message when it is a valid result, request or heartbeat; undefined: ask zod. */
export function acceptWorkerMessage(value: unknown): WorkerMessage | undefined {
  if (!isFields(value)) return undefined;
  switch (value.type) {
    case 'result':
      return onlyKeys(value, resultKeys) && isList(value.shards, 1, MAX_LIST, isFinishedShard) && isCount(value.request) && value.request <= MAX_LIST
        ? (value as WorkerMessage) : undefined;
    case 'request':
      return onlyKeys(value, requestKeys) && (value.count === undefined || (isPositive(value.count) && value.count <= MAX_LIST))
        ? (value as WorkerMessage) : undefined;
    case 'heartbeat':
      return onlyKeys(value, workerHeartbeatKeys) && isList(value.held, 0, MAX_LIST, isCount) && isCount(value.seen) ? (value as WorkerMessage) : undefined;
    default:
      return undefined;
  }
}

/** The value as the coordinator's message when it is a valid shared-mode assignment or a heartbeat; undefined: ask zod. */
export function acceptCoordinatorMessage(value: unknown): CoordinatorMessage | undefined {
  if (!isFields(value)) return undefined;
  switch (value.type) {
    case 'assign':
      return onlyKeys(value, assignKeys) && isCount(value.mark) && isList(value.shards, 1, MAX_LIST, isAssignedShard) ? (value as CoordinatorMessage) : undefined;
    case 'heartbeat':
      return onlyKeys(value, heartbeatKeys) && isCount(value.mark) ? (value as CoordinatorMessage) : undefined;
    default:
      return undefined;
  }
}
