#!/usr/bin/env node
// The `snig` command line: one module per command under cli/commands/.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';

import { commands } from './commands/index.js';

await yargs(hideBin(process.argv))
  .scriptName('snig')
  .command(commands)
  .demandCommand(1, 'name a command (see --help)')
  .strict()
  .help()
  .fail((message, error, instance) => {
    // Usage errors print the usage; failures of a command print only their message.
    if (error) {
      process.stderr.write(`snig: ${error.message}\n`);
    } else {
      process.stderr.write(`${instance.help()}\n\nsnig: ${message}\n`);
    }
    process.exit(2);
  })
  .parseAsync();
