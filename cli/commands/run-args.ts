// `snig run`'s arguments, and the run configuration they make: the config file (or none) with the
// flags applied over it. The command and the decision to start a worker before the command line
// loads (cli/early-worker.ts) read a command line through the same function.
import { z } from 'zod';

import { loadConfig, parseAssignment } from '../../common/config/load.js';
import type { RunConfig } from '../../common/config/schema.js';
import { engineOptionsShape } from '../../common/engine-options.js';
import { overrides } from '../schema-flags.js';
import { inputArgs, modelArgs } from './options.js';
import { outputArgs } from './output-options.js';

// The flags from --model to --min-shard-rows override a field of the config each (their defaults are
// the config's) and --set any field; --resume, --progress and the output flags do not touch it.
export const runArgs = z.object({
  config: z.string().optional().describe('run configuration (YAML or JSON)'),
  ...overrides(modelArgs),
  ...overrides(inputArgs),
  workers: z.number().int().positive().optional().describe('local workers to start'),
  ...overrides(engineOptionsShape),
  out: z.string().min(1).optional().describe('output directory (journal, categories, report)'),
  mode: z.enum(['shared', 'streamed']).optional().describe('shared: workers read the files; streamed: the coordinator sends them'),
  bind: z.string().optional().describe('coordinator endpoint, e.g. tcp://0.0.0.0:5555'),
  shardRows: z.number().int().positive().optional().describe('largest shard, rows'),
  minShardRows: z.number().int().positive().optional().describe('smallest shard, rows'),
  set: z.array(z.string()).optional().describe('override any field: --set coordinator.timeoutMs=5000'),
  resume: z.boolean().default(false).describe('continue an interrupted run from its journal'),
  progress: z.boolean().default(true).describe('progress bar (on a terminal)'),
  ...outputArgs,
});
export type RunArgs = z.output<typeof runArgs>;

/** CLI flags as config overrides (field path, value), in the order they apply. */
export function runOverrides(args: Partial<RunArgs>): Array<[string, unknown]> {
  const pairs: Array<[string, unknown]> = [];
  const put = (field: string, value: unknown): void => {
    if (value !== undefined) pairs.push([field, value]);
  };
  put('model', args.model);
  put('input', args.input);
  put('truth', args.truth);
  put('rowRange', args.rowRange);
  put('bias', args.bias);
  put('layers', args.layers);
  put('out', args.out);
  put('mode', args.mode);
  put('coordinator.bind', args.bind);
  put('shards.maxRows', args.shardRows);
  put('shards.minRows', args.minShardRows);
  put('workers.0.count', args.workers);
  for (const field of Object.keys(engineOptionsShape) as Array<keyof typeof engineOptionsShape>) put(`workers.0.${field}`, args[field]);
  for (const assignment of args.set ?? []) pairs.push(parseAssignment(assignment));
  return pairs;
}

/** The run configuration of these arguments; with neither a config file nor a worker flag, one local worker. */
export function runConfig(args: Partial<RunArgs>): RunConfig {
  const pairs = runOverrides(args);
  if (!args.config && !pairs.some(([field]) => field.startsWith('workers'))) pairs.push(['workers.0.count', 1]);
  return loadConfig(args.config, pairs);
}
