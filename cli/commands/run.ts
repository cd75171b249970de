// `snig run [config]`: a cluster run from a config file, or from flags alone; `--resume` continues
// an interrupted run from its journal.
import type { CommandModule } from 'yargs';

import { loadConfig, parseAssignment } from '../../common/config/load.js';
import { runCluster } from '../../coordinator/run.js';
import { EXIT } from '../exit-codes.js';
import { parseGpuList } from './options.js';
import { logLevel, outputLogger, withOutputOptions, type OutputArgs } from './output-options.js';

interface RunArgs extends OutputArgs {
  config?: string;
  model?: string;
  input?: string;
  truth?: string;
  bias?: number;
  layers?: number;
  workers?: number;
  engine?: string;
  threads?: number;
  kernel?: string;
  gpus?: string;
  out?: string;
  mode?: string;
  bind?: string;
  'shard-rows'?: number;
  'min-shard-rows'?: number;
  set?: string[];
  resume: boolean;
  progress: boolean;
}

/** CLI flags as config overrides (field path, value), in the order they apply. */
export function runOverrides(args: Omit<RunArgs, 'resume' | 'progress' | keyof OutputArgs>): Array<[string, unknown]> {
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
  put('shards.maxRows', args['shard-rows']);
  put('shards.minRows', args['min-shard-rows']);
  put('workers.0.count', args.workers);
  put('workers.0.engine', args.engine);
  put('workers.0.threads', args.threads);
  put('workers.0.gpus', parseGpuList(args.gpus));
  put('workers.0.kernel', args.kernel);
  for (const assignment of args.set ?? []) pairs.push(parseAssignment(assignment));
  return pairs;
}

/** The command line that continues a run: the same arguments with --resume (quoted for a POSIX shell). */
export function resumeCommand(argv: readonly string[]): string {
  const quote = (arg: string): string => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`);
  return ['snig', ...argv.filter((arg) => arg !== '--resume'), '--resume'].map(quote).join(' ');
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run [config]',
  describe: 'run inference on a cluster of workers (a config file, or the flags alone)',
  builder: (y) =>
    withOutputOptions(y)
      .positional('config', { type: 'string', describe: 'run configuration (YAML or JSON)' })
      .option('model', { type: 'string', describe: 'model: binary file or directory of n<N>-l<k>.tsv[.gz]' })
      .option('input', { type: 'string', describe: 'input rows: sparse-images-<N>.tsv[.gz] or binary inputs (.snigrows)' })
      .option('truth', { type: 'string', describe: 'categories file to verify against' })
      .option('bias', { type: 'number', describe: 'bias of every layer (default: the challenge value for N)' })
      .option('layers', { type: 'number', describe: 'layers to run (default: all present)' })
      .option('workers', { type: 'number', describe: 'local workers to start' })
      .option('engine', { type: 'string', choices: ['auto', 'cpu', 'cuda'] })
      .option('threads', { type: 'number', describe: 'CPU threads per worker (0: all)' })
      .option('kernel', { type: 'string', describe: 'CUDA kernel of the workers (default auto)' })
      .option('gpus', { type: 'string', describe: 'GPU ids for the local workers, e.g. 0,1,2,3' })
      .option('out', { type: 'string', describe: 'output directory (journal, categories, report)' })
      .option('mode', { type: 'string', choices: ['shared', 'streamed'] })
      .option('bind', { type: 'string', describe: 'coordinator endpoint, e.g. tcp://0.0.0.0:5555' })
      .option('shard-rows', { type: 'number', describe: 'largest shard, rows' })
      .option('min-shard-rows', { type: 'number', describe: 'smallest shard, rows' })
      .option('set', { type: 'string', array: true, describe: 'override any field: --set coordinator.timeoutMs=5000' })
      .option('resume', { type: 'boolean', default: false, describe: 'continue an interrupted run from its journal' })
      .option('progress', { type: 'boolean', default: true, describe: 'progress bar (on a terminal)' }),
  handler: async (args) => {
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
    const report = await runCluster(config, { resume: args.resume, log, logLevel: logLevel(args), progress: args.progress && !args.quiet, signal: interrupt.signal }).finally(() =>
      process.removeListener('SIGINT', onInterrupt),
    );
    const v = report.verification;
    process.stdout.write(
      `${report.status}${report.reason ? ` (${report.reason})` : ''}: ${report.categories} categories over rows [${report.rows.begin}, ${report.rows.end}), ` +
        `${report.shards.total} shards (${report.shards.resumed} resumed, ${report.reassigned.length} reassigned), ` +
        `${report.edgesPerSecond.toExponential(3)} edges/s` +
        (v && !v.passed ? `; ${v.missing.length} rows missing, ${v.extra.length} extra` : '') +
        `\nreport: ${config.out}/report.md\n` +
        (report.status === 'ABORTED' ? `to continue this run: ${resumeCommand(process.argv.slice(2))}\n` : ''),
    );
    process.exitCode = interrupt.signal.aborted ? EXIT.interrupted : report.status === 'PASSED' || report.status === 'UNVERIFIED' ? EXIT.ok : EXIT.failed;
  },
};
