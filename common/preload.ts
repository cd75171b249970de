// What a local worker of `snig run` may open before its welcome, because the run's configuration
// names it: the binary model and binary inputs, with its group's engine options. The worker opens
// them while the coordinator loads; a welcome that names the same files and options takes them.
import { z } from 'zod';

import { engineOptionsSchema } from './engine-options.js';

export const preloadSchema = z.object({
  model: z.string(),
  layers: z.number().int().positive().optional(), // default: every layer
  bias: z.number().optional(),
  inputs: z.string(),
  engine: engineOptionsSchema,
});

export type Preload = z.infer<typeof preloadSchema>;
