// The files a worker computes with, and the preload: those a local worker of `snig run` may open
// before its welcome, because the run's configuration names them (a binary model and binary inputs),
// with its group's engine options. The worker opens them while the coordinator loads; a welcome
// that names the same files and options takes them.
import { z } from 'zod';

import { engineOptionsSchema } from './engine-options.js';

/** A workload's files: the binary model (its first `layers`, with `bias`) and the inputs of shared mode. */
const workloadFilesSchema = z.object({
  model: z.string(),
  layers: z.number().int().positive().optional(), // default: every layer
  bias: z.number().optional(), // default: the challenge's for the model's N
  inputs: z.string().optional(), // none: the rows come with each shard (streamed mode)
});

export type WorkloadFiles = z.infer<typeof workloadFilesSchema>;

export const preloadSchema = workloadFilesSchema.extend({ inputs: z.string(), engine: engineOptionsSchema });

export type Preload = z.infer<typeof preloadSchema>;
