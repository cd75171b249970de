// pino loggers for coordinator and workers: JSON lines on stderr, pretty when stderr is a terminal.
import { pino, type Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function makeLogger(role: string, level: LogLevel): Logger {
  const options = { level, base: { role, pid: process.pid } };
  if (process.stderr.isTTY) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { destination: 2 } } });
  }
  return pino(options, pino.destination({ fd: 2, sync: true }));
}
