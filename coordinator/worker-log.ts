// The cause of a worker's failure, from the end of its log file (pino JSON lines, or the CLI's
// "snig: ..." line for an error before the logger existed), so the coordinator can say why.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

const TAIL_BYTES = 64 * 1024;
const ERROR_LEVEL = 50; // pino's "error"

/** The first line of the last error a log records, or undefined (no such line, or no readable log). */
export function lastLoggedError(path: string): string | undefined {
  let text: string;
  try {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      const buffer = Buffer.alloc(Math.min(size, TAIL_BYTES));
      readSync(fd, buffer, 0, buffer.length, size - buffer.length);
      text = buffer.toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  const lines = text.split('\n').reverse();
  for (const line of lines) {
    if (line.startsWith('snig: ')) return line.slice('snig: '.length);
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string; reason?: string; err?: { message?: string } };
      const message = (entry.level ?? 0) >= ERROR_LEVEL ? (entry.reason ?? entry.err?.message ?? entry.msg) : undefined;
      if (message !== undefined) return message.split('\n')[0]; // the rest (a require stack, …) stays in the log
    } catch {
      // a line cut by the tail's start, or not ours
    }
  }
  return undefined;
}
