// The wire messages between coordinator and workers: one zod schema per message, discriminated by
// `type`. Every received message is checked against these before anything acts on it (the frequent
// ones by plain checks held to accept only what these accept: fast-accept.ts).
import { z } from 'zod';

import { ENGINES, engineOptionsSchema } from '../engine-options.js';

// 3: assignments carry a list of shards; a request may ask for several. 4: a result message carries
// the shards finished together and asks for the next ones (one message each way per batch); lost
// assignments are found by marks, not by time (see `mark`). 5: a peer not working yet (loading its
// model) sends and is sent no heartbeats; it is lost when its connection closes (protocol/heartbeat.ts).
export const PROTOCOL_VERSION = 5;

const rowIndex = z.number().int().nonnegative();
const shardId = z.number().int().nonnegative();
const engineKind = z.enum(ENGINES).exclude(['auto']);

// Typed arrays travel as typed arrays (msgpackr moreTypes); any backing buffer will do.
const float64s = z.custom<Float64Array>((v) => v instanceof Float64Array, 'expected a Float64Array');
const columns = z.custom<Uint16Array | Uint32Array>(
  (v) => v instanceof Uint16Array || v instanceof Uint32Array,
  'expected a Uint16Array or Uint32Array',
);
const float32s = z.custom<Float32Array>((v) => v instanceof Float32Array, 'expected a Float32Array');
const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes');

/** Input rows of one shard, for workers that cannot see the input file (streamed mode): 16-bit
 * columns up to N = 65536, and no values when all are 1 (as in the challenge). */
export const shardInputsSchema = z.object({
  neurons: z.number().int().positive(),
  rowptr: float64s,
  cols: columns,
  values: float32s.optional(),
});

// Worker → coordinator.
export const helloSchema = z.object({
  type: z.literal('hello'),
  protocol: z.number().int(), // another version than PROTOCOL_VERSION is refused, with a reason the peer can show
  host: z.string().max(255),
  pid: z.number().int().nonnegative(),
  group: z.number().int().nonnegative().optional(), // the run config's worker group it belongs to
});
export const readySchema = z.object({
  type: z.literal('ready'),
  checksum: z.number().int().nonnegative(),
  engine: engineKind,
  gpuNames: z.array(z.string().max(255)).max(1024),
  loadSeconds: z.number().nonnegative(),
});
export const chunkRequestSchema = z.object({ type: z.literal('chunk-request'), index: z.number().int().nonnegative() });
/** Asks for `count` more shards (default 1): a worker filling its prefetch asks once. */
export const requestSchema = z.object({ type: z.literal('request'), count: z.number().int().positive().max(4096).optional() });
export const finishedShardSchema = z.object({
  shard: shardId,
  begin: rowIndex,
  end: rowIndex,
  categories: z.array(z.number().int().positive()),
  seconds: z.number().nonnegative(), // compute (the GPUs' event-timed time on CUDA)
  edges: z.number().nonnegative(),
  callSeconds: z.number().nonnegative().optional(), // the engine call: rows read, uploaded, computed
  inputBytes: z.number().int().nonnegative().optional(), // input bytes the worker has read (or received) so far
});
/** Shards finished together, and the shards asked for in their place (the prefetch refilled). */
export const resultSchema = z.object({
  type: z.literal('result'),
  shards: z.array(finishedShardSchema).min(1).max(4096),
  request: z.number().int().nonnegative().max(4096),
});
export const failureSchema = z.object({
  type: z.literal('failure'),
  shard: shardId,
  message: z.string().max(4096),
  code: z.string().regex(/^E_[A-Z_]{1,30}$/).optional(), // the error's code (E_FORMAT, E_CUDA, …), if it has one
});
/**
 * The coordinator stamps its assignments and heartbeats with a mark that grows with every event it
 * handles. Messages on one connection arrive in order, so a shard leased at mark m that a worker does
 * not hold once it has seen a later mark never reached it. (Time cannot tell: a worker that lags
 * behind its messages by seconds has them on the way, not lost.)
 */
const mark = z.number().int().nonnegative();
export const heartbeatSchema = z.object({ type: z.literal('heartbeat'), mark });
/** A worker's heartbeat names the shards it holds and the last mark it has seen. */
export const workerHeartbeatSchema = z.object({ type: z.literal('heartbeat'), held: z.array(shardId).max(4096), seen: mark });
export const byeSchema = z.object({ type: z.literal('bye'), reason: z.string().max(4096) });

export const workerMessageSchema = z.discriminatedUnion('type', [
  helloSchema,
  readySchema,
  chunkRequestSchema,
  requestSchema,
  resultSchema,
  failureSchema,
  workerHeartbeatSchema,
  byeSchema,
]);

// Coordinator → worker.
export const welcomeSchema = z.object({
  type: z.literal('welcome'),
  name: z.string().max(255),
  mode: z.enum(['shared', 'streamed']),
  model: z.object({
    path: z.string().optional(), // shared mode: where the worker reads the model
    layers: z.number().int().positive(),
    bias: z.number().optional(),
    checksum: z.number().int().nonnegative(),
    bytes: z.number().int().nonnegative(), // streamed mode: size of the binary model
    chunks: z.number().int().nonnegative(),
  }),
  inputs: z.object({
    path: z.string().optional(), // shared mode: where the worker reads the inputs
    rows: z.number().int().nonnegative(),
    neurons: z.number().int().positive(),
  }),
  engine: engineOptionsSchema, // the worker group's engine options
  heartbeatMs: z.number().int().positive(),
  timeoutMs: z.number().int().positive(),
});
export const chunkSchema = z.object({
  type: z.literal('chunk'),
  index: z.number().int().nonnegative(),
  data: bytes,
});
export const assignedShardSchema = z.object({
  shard: shardId,
  begin: rowIndex,
  end: rowIndex,
  inputs: shardInputsSchema.optional(),
});
/** Shards for one worker, all those given to it at once in one message. */
export const assignSchema = z.object({ type: z.literal('assign'), mark, shards: z.array(assignedShardSchema).min(1).max(4096) });
export const finishSchema = z.object({ type: z.literal('finish') });
export const rejectSchema = z.object({ type: z.literal('reject'), reason: z.string().max(4096) });
/** Sent to a peer the coordinator does not know (e.g. after a coordinator restart): say hello again. */
export const resetSchema = z.object({ type: z.literal('reset') });

export const coordinatorMessageSchema = z.discriminatedUnion('type', [
  welcomeSchema,
  chunkSchema,
  assignSchema,
  finishSchema,
  rejectSchema,
  resetSchema,
  heartbeatSchema,
]);

export type ShardInputs = z.infer<typeof shardInputsSchema>;
export type WorkerMessage = z.infer<typeof workerMessageSchema>;
export type CoordinatorMessage = z.infer<typeof coordinatorMessageSchema>;
export type Hello = z.infer<typeof helloSchema>;
export type Ready = z.infer<typeof readySchema>;
export type Welcome = z.infer<typeof welcomeSchema>;
export type Assign = z.infer<typeof assignSchema>;
export type AssignedShard = z.infer<typeof assignedShardSchema>;
export type FinishedShard = z.infer<typeof finishedShardSchema>;
