// `snig run [config]`: a cluster run from a config file, or from flags alone; `--resume` continues
// an interrupted run from its journal.
import { z } from 'zod';

import { loadConfig, parseAssignment } from '../../common/config/load.js';
import { engineOptionsShape } from '../../common/engine-options.js';
import { PhaseClock } from '../../common/timing.js';
import { runCluster } from '../../coordinator/run.js';
import { takeEarlyWorker } from '../early-worker.js';
import { defineCommand, overrides } from '../schema-flags.js';
import { inputArgs, modelArgs } from './options.js';
import { logLevel, outputArgs, outputLogger } from './output-options.js';
import { EXIT } from '../exit-codes.js';

// Every flag but the last three overrides a field of the config (its default is the config's).
const runArgs = z.object({
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
type RunArgs = z.output<typeof runArgs>;

/** CLI flags as config overrides (field path, value), in the order they apply. */
export function runOverrides(args: Partial<RunArgs>): Array<[string, unknown]> {
  const pairs: Array<[string, unknown]> = [];
  const put = (field: string, value: unknown): void => {
    if (value !== undefined) pairs.push([field, value]);
  };
  put('model', args.model);
  put('input', args.input);
  put('truth', args.truth);
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

/** The command line that continues a run: the same arguments with --resume (quoted for a POSIX shell). */
export function resumeCommand(argv: readonly string[]): string {
  const quote = (arg: string): string => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`);
  return ['snig', ...argv.filter((arg) => arg !== '--resume'), '--resume'].map(quote).join(' ');
}

export const runCommand = defineCommand({
  command: 'run [config]',
  describe: 'run inference on a cluster of workers (a config file, or the flags alone)',
  args: runArgs,
  positionals: { config: { type: 'string', describe: 'run configuration (YAML or JSON)' } },
  examples: [
    ['$0 run configs/local-cpu.yaml', '3 local CPU workers on the official sample'],
    ['$0 run configs/local-cpu.yaml --set rows=1:600 --quiet', 'a part of the rows, only the result'],
    ['$0 run configs/local-cpu.yaml --resume', 'continue an interrupted run from its journal'],
  ],
  handler: async (args) => {
    const clock = new PhaseClock(); // the total counts from process start, as `snig infer`'s does
    clock.add('startup', clock.total()); // node and the CLI's modules, before this handler
    const overrides = runOverrides(args);
    if (!args.config && !overrides.some(([field]) => field.startsWith('workers'))) overrides.push(['workers.0.count', 1]);
    const config = loadConfig(args.config, overrides);
    const log = outputLogger('coordinator', args);
    // Ctrl-C ends the run cleanly (workers stopped, journal kept, report written); a second one exits at once.
    const interrupt = new AbortController();
    const onInterrupt = (): void => {
      interrupt.abort();
      process.once('SIGINT', () => process.exit(EXIT.interrupted));
    };
    process.once('SIGINT', onInterrupt);
    const earlyWorker = takeEarlyWorker();
    const report = await runCluster(config, { resume: args.resume, clock, log, logLevel: logLevel(args), progress: args.progress && !args.quiet, signal: interrupt.signal, earlyWorker }).finally(() =>
      process.removeListener('SIGINT', onInterrupt),
    );
    const v = report.verification;
    process.stdout.write(
      `${report.status}${report.reason ? ` (${report.reason})` : ''}: ${report.categories} categories over rows ${report.rows.range}, ` +
        `${report.shards.planned} shards (${report.shards.splits} splits, ${report.shards.resumed} resumed, ${report.reassigned.length} reassigned), ` +
        `${report.seconds.total.toFixed(3)} s total (${report.wallSeconds.toFixed(3)} s of shards), ` +
        `${report.computeEdgesPerSecond.toExponential(3)} edges/s compute, ${report.totalEdgesPerSecond.toExponential(3)} total` +
        (v && !v.passed ? `; ${v.missing.length} rows missing, ${v.extra.length} extra` : '') +
        `\nreport: ${config.out}/report.md\n` +
        (report.status === 'ABORTED' ? `to continue this run: ${resumeCommand(process.argv.slice(2))}\n` : ''),
    );
    process.exitCode = interrupt.signal.aborted ? EXIT.interrupted : report.status === 'PASSED' || report.status === 'UNVERIFIED' ? EXIT.ok : EXIT.failed;
  },
});
