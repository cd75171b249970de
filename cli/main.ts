#!/usr/bin/env node
// The `snig` command line: one module per command under cli/commands/.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';

import { commands } from './commands/index.js';
import { EXIT } from './exit-codes.js';

/** A command's failure (bad config, missing file, refused action): its message, no stack trace. */
function fail(message: string): never {
  process.stderr.write(`snig: ${message}\n`);
  process.exit(EXIT.usage);
}

try {
  await yargs(hideBin(process.argv))
    .scriptName('snig')
    .command(commands)
    .demandCommand(1, 'name a command (see --help)')
    .strict()
    .help()
    .fail((message, error, instance) => {
      // Usage errors print the usage; failures of a command print only their message.
      if (error) fail(error.message);
      process.stderr.write(`${instance.help()}\n\n`);
      fail(message);
    })
    .parseAsync();
} catch (error) {
  // A synchronous handler's throw reaches here rather than .fail().
  fail((error as Error).message);
}
