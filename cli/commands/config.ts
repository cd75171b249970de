// `snig config check <config>`: validates a run configuration without running it.
import type { CommandModule } from 'yargs';

import { loadConfig, parseAssignment } from '../../common/config/load.js';

interface ConfigArgs {
  action: 'check';
  file: string;
  set?: string[];
}

export const configCommand: CommandModule<object, ConfigArgs> = {
  command: 'config <action> <file>',
  describe: 'check a run configuration (and print it with defaults filled in)',
  builder: (y) =>
    y
      .positional('action', { choices: ['check'] as const, demandOption: true })
      .positional('file', { type: 'string', demandOption: true })
      .option('set', { type: 'string', array: true, describe: 'override a field: --set workers.0.count=4' }),
  handler: (args) => {
    const config = loadConfig(args.file, (args.set ?? []).map(parseAssignment));
    const workers = config.workers.map((g) => `${g.count}×${g.engine}@${g.launch === 'local' ? 'local' : g.host}`).join(', ');
    process.stdout.write(`${args.file}: valid (${config.mode} mode, workers ${workers})\n${JSON.stringify(config, null, 2)}\n`);
  },
};
