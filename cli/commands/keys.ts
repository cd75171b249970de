// `snig keys <name...> --out <dir>`: CURVE key pairs for a coordinator and its workers.
import type { CommandModule } from 'yargs';

import { newKeyPair, writeKeyPair } from '../../common/config/keys.js';

interface KeysArgs {
  names: string[];
  out: string;
}

export const keysCommand: CommandModule<object, KeysArgs> = {
  command: 'keys <names..>',
  describe: 'make CURVE key pairs (<name>.key, secret; <name>.pub, to list in a run config)',
  builder: (y) =>
    y
      .positional('names', { type: 'string', array: true, demandOption: true, describe: 'e.g. coordinator worker1 worker2' })
      .option('out', { type: 'string', default: 'keys', describe: 'directory for the key files' })
      .check((args) => {
        for (const name of args.names) if (!/^[\w.-]+$/.test(name)) throw new Error(`key name "${name}": letters, digits, _ . - only`);
        return true;
      }),
  handler: (args) => {
    for (const name of args.names) {
      const pair = newKeyPair();
      const files = writeKeyPair(args.out, name, pair);
      process.stdout.write(`${name}: ${pair.public}  (${files.key}, ${files.pub})\n`);
    }
  },
};
