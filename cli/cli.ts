// The `snig` command line: one module per command under cli/commands/.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';

import { isNativeError } from '../common/native.js';
import { commands } from './commands/index.js';
import { EXIT, EXIT_CODES_HELP } from '../common/exit-codes.js';

/** A command's failure (bad config, missing file, refused action): its message, no stack trace. */
function fail(message: string): never {
  process.stderr.write(`snig: ${message}\n`);
  process.exit(EXIT.usage);
}

/** A thrown error as the user reads it: a native error keeps its code (`E_FORMAT: file: problem`). */
function describe(error: Error): string {
  return isNativeError(error) ? `${error.code}: ${error.message}` : error.message;
}

try {
  await yargs(hideBin(process.argv))
    .scriptName('snig')
    .command(commands)
    .demandCommand(1, 'name a command (see --help)')
    .recommendCommands()
    .strict()
    .example('$0 infer --model m.snig --input images.tsv.gz --truth truth.tsv', 'infer and verify on this machine')
    .example('$0 run configs/local-cpu.yaml', 'a cluster run: coordinator and 3 local workers')
    .example('$0 worker --connect tcp://head:5555', 'a worker for a coordinator on another machine')
    .example('$0 suite configs/suite-small.yaml', 'a suite of benchmarks: results.csv, .md and .svg')
    .epilogue(EXIT_CODES_HELP)
    .help()
    .fail((message, error, instance) => {
      // Usage errors print the usage; failures of a command print only their message.
      if (error) fail(describe(error));
      process.stderr.write(`${instance.help()}\n\n`);
      fail(message);
    })
    .parseAsync();
} catch (error) {
  // A synchronous handler's throw reaches here rather than .fail().
  fail(describe(error as Error));
}
