// `snig config check <config>`: validates a run or suite configuration without running it, and looks
// for the files it names. Prints a summary and the config with its defaults (YAML), or only the JSON
// with --json; a bad config exits 2 with the file, the field and the problem.
import type { CommandModule } from 'yargs';
import { stringify } from 'yaml';

import { checkConfigFile, type CheckedConfig } from '../../common/config/check.js';
import { parseAssignment } from '../../common/config/load.js';

interface ConfigArgs {
  action: 'check';
  file: string;
  set?: string[];
  json: boolean;
}

function summary(file: string, checked: CheckedConfig): string {
  if (checked.kind === 'suite') {
    const names = checked.config.benchmarks.map((b) => b.name).join(', ');
    return `${file}: valid suite (${checked.config.benchmarks.length} benchmarks: ${names})`;
  }
  const { config } = checked;
  const workers = config.workers.map((g) => `${g.count}×${g.engine}@${g.launch === 'local' ? 'local' : g.host}`).join(', ');
  return `${file}: valid run (${config.mode} mode, workers ${workers}; model, input${config.truth ? ' and truth' : ''} found)`;
}

export const configCommand: CommandModule<object, ConfigArgs> = {
  command: 'config <action> <file>',
  describe: 'check a run or suite configuration and the files it names (prints it with defaults filled in)',
  builder: (y) =>
    y
      .positional('action', { choices: ['check'] as const, demandOption: true })
      .positional('file', { type: 'string', demandOption: true })
      .option('set', { type: 'string', array: true, describe: 'override a field: --set workers.0.count=4' })
      .option('json', { type: 'boolean', default: false, describe: 'print only the checked config, as JSON' })
      .example('$0 config check configs/local-cpu.yaml', 'validate a run config and show its defaults')
      .example('$0 config check configs/suite-small.yaml --json | jq .benchmarks', 'a suite config, as JSON'),
  handler: (args) => {
    const checked = checkConfigFile(args.file, (args.set ?? []).map(parseAssignment));
    if (args.json) process.stdout.write(`${JSON.stringify(checked.config, null, 2)}\n`);
    else process.stdout.write(`${summary(args.file, checked)}\n${stringify(checked.config)}`);
  },
};
