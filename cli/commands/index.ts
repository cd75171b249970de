// Every `snig` command. Add a command by writing its module and listing it here.
import type { CommandModule } from 'yargs';

import { convertCommand } from './convert.js';
import { generateCommand } from './generate.js';
import { inferCommand } from './infer.js';
import { infoCommand } from './info.js';
import { configCommand } from './config.js';
import { keysCommand } from './keys.js';
import { runCommand } from './run.js';
import { slurmScriptCommand } from './slurm-script.js';
import { suiteCommand } from './suite.js';
import { workerCommand } from './worker.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [inferCommand, convertCommand, infoCommand, suiteCommand, slurmScriptCommand, generateCommand, runCommand, workerCommand, keysCommand, configCommand];
