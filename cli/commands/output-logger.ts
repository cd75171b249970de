// A command's logger, as its output flags ask (cli/commands/output-options.ts); apart from the flags,
// so that reading a command line (cli/early-worker.ts) does not load pino.
import type { Logger } from 'pino';

import { makeLogger } from '../../common/logger.js';
import { logLevel, type OutputArgs } from './output-options.js';

/** The command's logger, as the flags ask. */
export function outputLogger(role: string, args: OutputArgs): Logger {
  return makeLogger(role, logLevel(args), args.logFormat);
}
