// Shared pieces of the cluster tests: the real 1024×120 sample, run configs, reading results.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pino } from 'pino';

import { validateConfig } from '../common/config/load.js';
import type { RunConfig } from '../common/config/schema.js';
import { launchCommands } from '../cli/snig-command.js';
import type { RunOptions } from '../coordinator/run.js';
import { tempDir as removedAfterTest } from './helpers.js';

const data = resolve(import.meta.dirname, '../data/hpec-1024');
export const MODEL = join(data, 'neuron1024');
export const INPUT = join(data, 'sparse-images-1024-first1200.tsv.gz');
export const TRUTH = join(data, 'first1200-l120-categories.tsv');
export const MAIN = resolve(import.meta.dirname, '../cli/main.ts');

export const silent = pino({ level: 'silent' });

/** runCluster's options in a test: a new run, this checkout's workers, only their warnings, no progress bar. */
export const quietRun: RunOptions = { resume: false, commands: launchCommands(), log: silent, logLevel: 'warn', progress: false };

/** A logger that keeps what it is told: `entries` grows as the run logs. */
export function capturingLogger(level = 'info'): { log: pino.Logger; entries: Array<Record<string, unknown>> } {
  const entries: Array<Record<string, unknown>> = [];
  const log = pino({ level }, { write: (line: string) => entries.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, entries };
}

/** A temporary directory snig-<prefix>-…, removed when the test that made it ends. */
export function tempDir(prefix: string): string {
  return removedAfterTest(`snig-${prefix}-`);
}

/** A run of the sample on local CPU workers with short timeouts; `extra` is merged on top. */
export function sampleConfig(out: string, extra: Record<string, unknown> = {}): RunConfig {
  return validateConfig(
    {
      model: MODEL,
      layers: 120,
      input: INPUT,
      truth: TRUTH,
      out,
      shards: { maxRows: 25, minRows: 8 },
      coordinator: { heartbeatMs: 200, timeoutMs: 1500 },
      worker: { retries: 2, retryDelayMs: 300, prefetch: 2 },
      workers: [{ launch: 'local', count: 3, engine: 'cpu', threads: 1 }],
      ...extra,
    },
    'test',
  );
}

/** Rows of a category file (comment lines skipped). */
export function categoryRows(path: string): number[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map(Number);
}

export interface JournalLine {
  type: string;
  shard?: number;
  begin?: number;
  end?: number;
  worker?: string;
  shards?: number[]; // an assignment: the shards given together
}

/** The journal's whole lines: after a kill -9 the last one may be torn (unterminated), and, as the
 *  coordinator's own reader does, it is not part of the journal. */
export function journalLines(out: string): JournalLine[] {
  const lines = readFileSync(join(out, 'journal.jsonl'), 'utf8').split('\n');
  lines.pop(); // '' after the last newline, or the torn line
  return lines.filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as JournalLine);
}

/** True while a process exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
