// `snig suite <suite-config>`: evaluates a list of benchmarks with one cluster/engine setup and writes
// results.csv, results.md and results.svg (edges/s per benchmark, log scale) in the suite's `out`.
import { resolve } from 'node:path';

import type { CommandModule } from 'yargs';

import { isPretty } from '../../common/logger.js';
import { loadSuite } from '../../common/config/suite-load.js';
import { suiteProgress } from '../../suite/progress.js';
import { runSuite } from '../../suite/run-suite.js';
import { generateInputs } from '../../suite/generate-inputs.js';
import { clusterRun } from '../../suite/cluster-run.js';
import { launchCommands } from '../snig-command.js';
import { outputLogger } from './output-logger.js';
import { logLevel, withOutputOptions, type OutputArgs } from './output-options.js';
import { EXIT } from '../../common/exit-codes.js';

interface SuiteArgs extends OutputArgs {
  config: string;
  force: boolean;
  only?: string[];
  out?: string;
  cache?: string;
}

export const suiteCommand: CommandModule<object, SuiteArgs> = {
  command: 'suite <config>',
  describe: 'run a suite of benchmarks and write results.csv, results.md and results.svg',
  builder: (yargs) =>
    withOutputOptions(yargs)
      .positional('config', { type: 'string', demandOption: true, describe: 'suite config (YAML or JSON)' })
      .option('force', { type: 'boolean', default: false, describe: 're-run benchmarks that are already done' })
      .option('only', { type: 'string', array: true, describe: 'run only these benchmarks (names)' })
      .option('out', { type: 'string', describe: 'output directory (overrides the config)' })
      .option('cache', { type: 'string', describe: 'generated-input cache directory (overrides the config)' })
      .example('$0 suite configs/suite-small.yaml', 'three generated networks on 2 local CPU workers')
      .example('$0 suite configs/suite-challenge.yaml --only n1024-l120 --force', 'redo one benchmark'),
  handler: async (args) => {
    const suite = loadSuite(args.config);
    if (args.out) suite.out = resolve(args.out);
    if (args.cache) suite.cache = resolve(args.cache);
    const terminal = process.stderr.isTTY === true && isPretty(args.logFormat) && !args.quiet;
    const log = outputLogger('suite', args);
    const outcome = await runSuite(suite, {
      source: args.config,
      force: args.force,
      only: args.only,
      runBenchmark: clusterRun(log, logLevel(args), launchCommands()),
      generate: generateInputs,
      progress: suiteProgress(log, terminal),
    });
    for (const failure of outcome.failed) log.error({ benchmark: failure.benchmark }, `${failure.benchmark}: ${failure.message}`);
    const passed = outcome.results.filter((r) => r.passed).length;
    process.stdout.write(
      `${passed}/${outcome.results.length + outcome.failed.length} benchmarks PASSED` +
        (outcome.skipped.length > 0 ? ` (${outcome.skipped.length} done before, reused)` : '') +
        `\n${outcome.files.markdown}\n${outcome.files.csv}\n${outcome.files.svg}\n`,
    );
    process.exitCode = outcome.failed.length === 0 && passed === outcome.results.length ? EXIT.ok : EXIT.failed;
  },
};
