// How much a command says and in which form, the same flags for every command that logs:
// --quiet (warnings, errors and the result; no progress bar), --verbose (debug lines too), or an
// exact --log-level; --log-format json for machines (the default on anything but a terminal).
import type { Argv } from 'yargs';
import { z } from 'zod';

import { LOG_FORMATS, LOG_LEVELS, type LogLevel } from '../../common/log-levels.js';
import { flagsOf } from '../schema-flags.js';

export const outputArgs = {
  quiet: z.boolean().optional().describe('only warnings, errors and the result; no progress bar'),
  verbose: z.boolean().optional().describe('debug messages too'),
  logLevel: z.enum(LOG_LEVELS).optional().describe('exact pino log level (overrides --quiet/--verbose; default info)'),
  logFormat: z
    .enum(LOG_FORMATS)
    .default('auto')
    .describe('pretty: one line per event; json: JSON lines with ISO times; auto: pretty on a terminal, else json'),
};

export type OutputArgs = z.output<z.ZodObject<typeof outputArgs>>;

/** The output flags on a command declared with yargs directly (the others spread `outputArgs`). */
export function withOutputOptions<T>(yargs: Argv<T>): Argv<T & OutputArgs> {
  return yargs.options(flagsOf(outputArgs)) as unknown as Argv<T & OutputArgs>;
}

/** The level the flags ask for. */
export function logLevel(args: OutputArgs): LogLevel {
  if (args.quiet && args.verbose) throw new Error('--quiet and --verbose contradict each other: give one');
  return args.logLevel ?? (args.quiet ? 'warn' : args.verbose ? 'debug' : 'info');
}
