// How much a command says and in which form, the same flags for every command that logs:
// --quiet (warnings, errors and the result; no progress bar), --verbose (debug lines too), or an
// exact --log-level; --log-format json for machines (the default on anything but a terminal).
import type { Argv } from 'yargs';
import type { Logger } from 'pino';

import { LOG_FORMATS, LOG_LEVELS, makeLogger, type LogFormat, type LogLevel } from '../../common/logger.js';

export interface OutputArgs {
  quiet?: boolean;
  verbose?: boolean;
  'log-level'?: LogLevel;
  'log-format': LogFormat;
}

export function withOutputOptions<T>(yargs: Argv<T>): Argv<T & OutputArgs> {
  return yargs
    .option('quiet', { type: 'boolean', describe: 'only warnings, errors and the result; no progress bar' })
    .option('verbose', { type: 'boolean', describe: 'debug messages too' })
    .option('log-level', { choices: LOG_LEVELS, describe: 'exact pino log level (overrides --quiet/--verbose; default info)' })
    .option('log-format', {
      choices: LOG_FORMATS,
      default: 'auto' as LogFormat,
      describe: 'pretty: one line per event; json: JSON lines, ISO times; auto: pretty on a terminal, else json',
    })
    .conflicts('quiet', 'verbose')
    .group(['quiet', 'verbose', 'log-level', 'log-format'], 'Output:') as Argv<T & OutputArgs>;
}

/** The level the flags ask for. */
export function logLevel(args: OutputArgs): LogLevel {
  return args['log-level'] ?? (args.quiet ? 'warn' : args.verbose ? 'debug' : 'info');
}

/** The command's logger, as the flags ask. */
export function outputLogger(role: string, args: OutputArgs): Logger {
  return makeLogger(role, logLevel(args), args['log-format']);
}
