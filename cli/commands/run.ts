// `snig run [config]`: a cluster run from a config file, or from flags alone; `--resume` continues
// an interrupted run from its journal.
import { PhaseClock } from '../../common/timing.js';
import type { RunReport } from '../../coordinator/report.js';
import { runCluster } from '../../coordinator/run.js';
import { takeEarlyRun } from '../early-worker.js';
import { defineCommand } from '../schema-flags.js';
import { launchCommands } from '../snig-command.js';
import { outputLogger } from './output-logger.js';
import { logLevel } from './output-options.js';
import { runArgs } from './run-args.js';
import { EXIT } from '../../common/exit-codes.js';

/** The command line that continues a run: the same arguments with --resume (quoted for a POSIX shell). */
function resumeCommand(argv: readonly string[]): string {
  const quote = (arg: string): string => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`);
  return ['snig', ...argv.filter((arg) => arg !== '--resume'), '--resume'].map(quote).join(' ');
}

/** The verdict's line and where the report is; for an unfinished run, how to continue it. */
function printVerdict(report: RunReport, out: string): void {
  const v = report.verification;
  process.stdout.write(
    `${report.status}${report.reason ? ` (${report.reason})` : ''}: ${report.categories} categories over rows ${report.rowRange}, ` +
      `${report.shards.planned} shards (${report.shards.splits} splits, ${report.shards.resumed} resumed, ${report.reassigned.length} reassigned), ` +
      `${report.seconds.total.toFixed(3)} s total (${report.wallSeconds.toFixed(3)} s of shards), ` +
      `${report.computeEdgesPerSecond.toExponential(3)} edges/s compute, ${report.totalEdgesPerSecond.toExponential(3)} total` +
      (v && !v.passed ? `; ${v.missing.length} rows missing, ${v.extra.length} extra` : '') +
      `\nreport: ${out}/report.md\n` +
      (report.status === 'ABORTED' ? `to continue this run: ${resumeCommand(process.argv.slice(2))}\n` : ''),
  );
}

export const runCommand = defineCommand({
  command: 'run [config]',
  describe: 'run inference on a cluster of workers (a config file, or the flags alone)',
  args: runArgs,
  positionals: { config: { type: 'string', describe: 'run configuration (YAML or JSON)' } },
  examples: [
    ['$0 run configs/local-cpu.yaml', '3 local CPU workers on the official sample'],
    ['$0 run configs/local-cpu.yaml --row-range 1:600 --quiet', 'a part of the rows, only the result'],
    ['$0 run configs/local-cpu.yaml --resume', 'continue an interrupted run from its journal'],
  ],
  handler: async (args) => {
    const clock = new PhaseClock(); // the total counts from process start, as `snig infer`'s does
    clock.add('startup', clock.total()); // node and the CLI's modules, before this handler
    const { config, worker: earlyWorker } = takeEarlyRun(args); // read once, as main.ts started
    const log = outputLogger('coordinator', args);
    // Ctrl-C ends the run cleanly (workers stopped, journal kept, report written); a second one exits at once.
    const interrupt = new AbortController();
    const onInterrupt = (): void => {
      interrupt.abort();
      process.once('SIGINT', () => process.exit(EXIT.interrupted));
    };
    process.once('SIGINT', onInterrupt);
    const report = await runCluster(config, {
      resume: args.resume,
      commands: launchCommands(),
      clock,
      log,
      logLevel: logLevel(args),
      progress: args.progress && !args.quiet,
      signal: interrupt.signal,
      earlyWorker,
      onVerdict: (verdict) => printVerdict(verdict, config.out), // before the workers' exit
    }).finally(() => process.removeListener('SIGINT', onInterrupt));
    // The status, set at the verdict, is the report's still (a worker failing after it is listed, not judged).
    process.exitCode = interrupt.signal.aborted ? EXIT.interrupted : report.status === 'PASSED' || report.status === 'UNVERIFIED' ? EXIT.ok : EXIT.failed;
  },
});
