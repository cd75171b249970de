// The run configuration: one file (YAML or JSON) describes a whole cluster run. Paths are resolved
// against the config file's directory when loaded; every field can be overridden from the CLI.
// Each default is stated once, on its field; a section left out is parsed from {} (prefault).
import { z } from 'zod';

import { engineSettingsSchema, engineSettingsShape, gpuListSchema, type EngineOptions } from '../engine-options.js';
import { parseRowRangeSyntax } from '../row-range.js';
import { slurmJobSchema } from './slurm.js';

const positiveInt = z.number().int().positive();
/** Room for a message's envelope (type, ids, lengths) around its payload. */
const MESSAGE_OVERHEAD_BYTES = 1024;
const nonnegativeInt = z.number().int().nonnegative();

/** How every worker behaves (`worker:` in a run config, `snig worker` flags). */
export const workerSettingsShape = {
  retries: nonnegativeInt.default(5).describe('attempts to reach a silent coordinator before exiting'),
  retryDelayMs: positiveInt.default(1000).describe('first delay between those attempts, ms (it grows)'),
  prefetch: positiveInt.default(2).describe('shards a worker holds at once (one running, the rest queued)'),
};

/** The coordinator's message size limit, which its workers must share. */
export const maxMessageBytesField = z.number().int().min(4 * MESSAGE_OVERHEAD_BYTES).default(64 * 1024 * 1024).describe('largest message on the wire, bytes');

/**
 * A group of workers: launched by `snig run` on this machine (`local`), by one srun step inside a
 * Slurm allocation (`slurm`), or started by hand elsewhere (`manual`).
 */
export const workerGroupSchema = z
  .object({
    launch: z.enum(['local', 'slurm', 'manual']).default('local'),
    host: z.string().default('localhost'), // where a manual group runs (for the report and docs)
    count: positiveInt.default(1),
    // The engine of every worker of the group, sent to each in `welcome`.
    ...engineSettingsShape,
    // GPUs this group may use (CUDA device ids); split evenly across its workers when launched locally.
    gpus: gpuListSchema.optional(),
    gpusPerWorker: positiveInt.optional(),
  })
  .strict();

export const runConfigSchema = z
  .object({
    model: z.string().min(1), // a binary model file or a directory of the official TSV layout
    layers: positiveInt.optional(),
    bias: z.number().optional(),
    input: z.string().min(1),
    truth: z.string().min(1).optional(),
    // first:last, 1-based and inclusive (common/row-range.ts); default: every row.
    rowRange: z
      .string()
      .superRefine((text, ctx) => {
        const parsed = parseRowRangeSyntax(text);
        if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
      })
      .optional(),
    out: z.string().min(1),
    mode: z.enum(['shared', 'streamed']).default('shared'),
    // The plan's equal shards are what a worker gets before its speed is known. After that a queued
    // shard is split at assignment (coordinator/shard-size.ts) so that it takes at most targetSeconds
    // at the worker's measured rows/s, and 1/2 of the fleet's remaining time per worker toward the end,
    // but never less than minSeconds or minRows (minRows = maxRows: fixed sizes).
    shards: z
      .object({
        maxRows: positiveInt.optional(), // default: rows / (8 × workers)
        minRows: positiveInt.default(16),
        targetSeconds: z.number().positive().default(1),
        minSeconds: z.number().positive().default(0.2), // each result costs the coordinator: 1000 workers at 0.2 s send 5000/s
      })
      .strict()
      .prefault({}),
    coordinator: z
      .object({
        bind: z.string().default('tcp://127.0.0.1:*'), // a port of * picks a free one
        heartbeatMs: positiveInt.default(1000),
        timeoutMs: positiveInt.default(10000), // a working worker silent this long is lost; so, after about as long, is a peer whose host stops answering (TCP keepalive)
        maxMessageBytes: maxMessageBytesField,
        chunkBytes: positiveInt.default(4 * 1024 * 1024), // streamed mode: model chunk size
        maxShardAttempts: positiveInt.default(5), // failures of one shard before the run fails
        maxWorkerFailures: positiveInt.default(3), // failed shards of one worker before it is retired
        idleTimeoutMs: positiveInt.default(600_000), // no worker at all for this long: the run aborts
        // One shard held this long (a hung engine) is reassigned. Unset: 4 × the time its worker needs
        // at its measured rows/s, at least 3 × timeoutMs (1 h before the worker's first result).
        shardTimeoutMs: positiveInt.optional(),
        // Shards wait until every planned worker is ready, or this long after the first one is.
        startGraceMs: nonnegativeInt.default(10_000),
      })
      .strict()
      .prefault({}),
    workers: z.array(workerGroupSchema).min(1),
    worker: z.object(workerSettingsShape).strict().prefault({}),
    slurm: slurmJobSchema.optional(), // the allocation, for `launch: slurm` groups
    security: z
      .object({
        curve: z.boolean().default(false),
        coordinatorKey: z.string().optional(), // key file written by `snig keys` (secret + public)
        workerKeys: z.array(z.string()).default([]), // public keys (Z85) or `.pub` files allowed to connect
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    const { heartbeatMs, timeoutMs, chunkBytes, maxMessageBytes } = config.coordinator;
    if (heartbeatMs * 2 > timeoutMs) {
      // Fewer than two heartbeats per timeout: a healthy worker would be declared lost between two beats.
      ctx.addIssue({ code: 'custom', path: ['coordinator', 'heartbeatMs'], message: `${heartbeatMs} must be at most half of coordinator.timeoutMs (${timeoutMs})` });
    }
    if (config.mode === 'streamed' && chunkBytes + MESSAGE_OVERHEAD_BYTES > maxMessageBytes) {
      ctx.addIssue({ code: 'custom', path: ['coordinator', 'chunkBytes'], message: `a ${chunkBytes}-byte model chunk does not fit in coordinator.maxMessageBytes (${maxMessageBytes})` });
    }
    if (config.shards.maxRows !== undefined && config.shards.maxRows < config.shards.minRows) {
      ctx.addIssue({ code: 'custom', path: ['shards', 'maxRows'], message: `${config.shards.maxRows} is less than shards.minRows (${config.shards.minRows})` });
    }
    if (config.shards.minSeconds > config.shards.targetSeconds) {
      ctx.addIssue({ code: 'custom', path: ['shards', 'minSeconds'], message: `${config.shards.minSeconds} is more than shards.targetSeconds (${config.shards.targetSeconds})` });
    }
    if (config.security.curve && !config.security.coordinatorKey) {
      ctx.addIssue({ code: 'custom', path: ['security', 'coordinatorKey'], message: 'required when security.curve is true' });
    }
    config.workers.forEach((group, i) => {
      if (group.gpusPerWorker !== undefined && group.gpus !== undefined && group.gpusPerWorker * group.count > group.gpus.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['workers', i, 'gpusPerWorker'],
          message: `${group.count} workers × ${group.gpusPerWorker} GPUs exceeds the ${group.gpus.length} GPUs listed`,
        });
      }
    });
  });

export type RunConfig = z.output<typeof runConfigSchema>;
export type WorkerGroup = z.output<typeof workerGroupSchema>;

/** Whether `snig run` starts workers on its own machine: some group is `launch: local`. */
export function launchesLocalWorkers(config: Pick<RunConfig, 'workers'>): boolean {
  return config.workers.some((group) => group.launch === 'local');
}

/**
 * The engine options that a worker of group `index` gets in `welcome` (a worker that names no group,
 * or one the config lacks, belongs to the first manual group, else to the first). Its GPUs are where
 * it was placed (CUDA_VISIBLE_DEVICES), or its own `--gpus`.
 */
export function groupEngine(config: RunConfig, index: number | undefined): EngineOptions {
  const fallback = Math.max(0, config.workers.findIndex((group) => group.launch === 'manual'));
  const group = config.workers[index ?? fallback] ?? config.workers[fallback]!;
  return engineSettingsSchema.parse(group); // the group's engine settings alone, whichever engine-options.ts declares
}
