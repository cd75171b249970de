// pino loggers for the commands, coordinator and workers, on stderr. On a terminal (or with
// --log-format pretty): one line per event, above the progress bar. Elsewhere (or with
// --log-format json): JSON lines with ISO times. Either way figures are rounded to 4 significant
// digits: a log says 0.1235 s, not 0.12345678901.
import { pino, type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';

import type { LogFormat, LogLevel } from './log-levels.js';
import { writeAboveBar } from './terminal.js';


/** Non-integer numbers at 4 significant digits, in nested objects and arrays too. */
export function roundFigures(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) || !Number.isFinite(value) ? value : Number(value.toPrecision(4));
  if (Array.isArray(value)) return value.map(roundFigures);
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, roundFigures(field)]));
  }
  return value;
}

/** Whether a logger of this format writes one readable line per event (else JSON). */
export function isPretty(format: LogFormat): boolean {
  return format === 'pretty' || (format === 'auto' && process.stderr.isTTY === true);
}

/** A pino logger for `role` (coordinator, worker, infer, ...): one readable line per event, or JSON lines (see isPretty). */
export function makeLogger(role: string, level: LogLevel, format: LogFormat = 'auto'): Logger {
  const options = {
    level,
    base: { role, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { log: (fields: Record<string, unknown>) => roundFigures(fields) as Record<string, unknown> },
  };
  if (!isPretty(format)) return pino(options, pino.destination({ fd: 2, sync: true }));
  const pretty = prettyFactory({ singleLine: true, colorize: process.stderr.isTTY === true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,role' });
  return pino(options, { write: (line: string) => writeAboveBar(pretty(line)) });
}
