// One pino logger for the process: readable on a terminal, JSON lines otherwise.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(name: string, level = process.env.SNIG_LOG_LEVEL ?? 'info'): Logger {
  const pretty = process.stderr.isTTY === true;
  return pino(
    { name, level },
    pretty
      ? pino.transport({ target: 'pino-pretty', options: { destination: 2, colorize: true, ignore: 'pid,hostname' } })
      : pino.destination(2),
  );
}
