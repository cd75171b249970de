// `snig keys <name...> --out <dir>`: CURVE key pairs for a coordinator and its workers. Existing key
// files are kept unless --force: overwriting a pair locks out every worker that holds the old one.
import { existsSync } from 'node:fs';
import type { CommandModule } from 'yargs';

import { keyPairPaths, newKeyPair, writeKeyPair } from '../../common/config/keys.js';

interface KeysArgs {
  names: string[];
  out: string;
  force: boolean;
}

export const keysCommand: CommandModule<object, KeysArgs> = {
  command: 'keys <names..>',
  describe: 'make CURVE key pairs (<name>.key, secret; <name>.pub, to list in a run config)',
  builder: (y) =>
    y
      .positional('names', { type: 'string', array: true, demandOption: true, describe: 'e.g. coordinator worker1 worker2' })
      .option('out', { type: 'string', default: 'keys', describe: 'directory for the key files' })
      .option('force', { type: 'boolean', default: false, describe: 'overwrite existing key pairs' })
      .example('$0 keys coordinator node01 node02 --out keys', 'a pair each; list keys/node0*.pub in the run config')
      .check((args) => {
        for (const name of args.names) if (!/^[\w.-]+$/.test(name)) throw new Error(`key name "${name}": letters, digits, _ . - only`);
        return true;
      }),
  handler: (args) => {
    const existing = args.names.flatMap((name) => Object.values(keyPairPaths(args.out, name))).filter((path) => existsSync(path));
    if (existing.length > 0 && !args.force) {
      throw new Error(`${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}: use --force to replace (workers holding the old keys are then refused)`);
    }
    for (const name of args.names) {
      const pair = newKeyPair();
      const files = writeKeyPair(args.out, name, pair);
      process.stdout.write(`${name}: ${pair.public}  (${files.key}, ${files.pub})\n`);
    }
  },
};
