// The run configuration: one file (YAML or JSON) describes a whole cluster run. Paths are resolved
// against the config file's directory when loaded; every field can be overridden from the CLI.
import { z } from 'zod';

import { slurmJobSchema } from './slurm.js';

const positiveInt = z.number().int().positive();
/** Room for a message's envelope (type, ids, lengths) around its payload. */
export const MESSAGE_OVERHEAD_BYTES = 1024;
const nonnegativeInt = z.number().int().nonnegative();

/**
 * A group of workers: launched by `snig run` on this machine (`local`), by one srun step inside a
 * Slurm allocation (`slurm`), or started by hand elsewhere (`manual`).
 */
export const workerGroupSchema = z
  .object({
    launch: z.enum(['local', 'slurm', 'manual']).default('local'),
    host: z.string().default('localhost'), // where a manual group runs (for the report and docs)
    count: positiveInt.default(1),
    engine: z.enum(['auto', 'cpu', 'cuda']).default('auto'),
    threads: nonnegativeInt.default(0), // CPU engine threads per worker (0: all)
    kernel: z.string().min(1).default('auto'), // CUDA kernel ('auto': the fastest correct one)
    // GPUs this group may use (CUDA device ids); split evenly across its workers when launched locally.
    gpus: z.array(nonnegativeInt).optional(),
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
    rows: z
      .object({ begin: nonnegativeInt.default(0), end: nonnegativeInt.optional() })
      .strict()
      .default({ begin: 0 }),
    out: z.string().min(1),
    mode: z.enum(['shared', 'streamed']).default('shared'),
    shards: z
      .object({
        maxRows: positiveInt.optional(), // default: rows / (8 × workers)
        minRows: positiveInt.default(16),
      })
      .strict()
      .default({ minRows: 16 }),
    coordinator: z
      .object({
        bind: z.string().default('tcp://127.0.0.1:*'), // a port of * picks a free one
        heartbeatMs: positiveInt.default(1000),
        timeoutMs: positiveInt.default(10000), // a worker silent this long loses its shards
        maxMessageBytes: z.number().int().min(4 * MESSAGE_OVERHEAD_BYTES).default(64 * 1024 * 1024),
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
      .default({
        bind: 'tcp://127.0.0.1:*',
        heartbeatMs: 1000,
        timeoutMs: 10000,
        maxMessageBytes: 64 * 1024 * 1024,
        chunkBytes: 4 * 1024 * 1024,
        maxShardAttempts: 5,
        maxWorkerFailures: 3,
        idleTimeoutMs: 600_000,
        startGraceMs: 10_000,
      }),
    workers: z.array(workerGroupSchema).min(1),
    worker: z
      .object({
        retries: nonnegativeInt.default(5), // reconnect attempts after losing the coordinator
        retryDelayMs: positiveInt.default(1000),
        prefetch: positiveInt.default(2), // shards a worker holds at once (one running, the rest queued)
      })
      .strict()
      .default({ retries: 5, retryDelayMs: 1000, prefetch: 2 }),
    slurm: slurmJobSchema.optional(), // the allocation, for `launch: slurm` groups
    security: z
      .object({
        curve: z.boolean().default(false),
        coordinatorKey: z.string().optional(), // key file written by `snig keys` (secret + public)
        workerKeys: z.array(z.string()).default([]), // public keys (Z85) or `.pub` files allowed to connect
      })
      .strict()
      .default({ curve: false, workerKeys: [] }),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.rows.end !== undefined && config.rows.end <= config.rows.begin) {
      ctx.addIssue({ code: 'custom', path: ['rows', 'end'], message: 'must be greater than rows.begin' });
    }
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

export type RunConfigInput = z.input<typeof runConfigSchema>;
export type RunConfig = z.output<typeof runConfigSchema>;
export type WorkerGroup = z.output<typeof workerGroupSchema>;
