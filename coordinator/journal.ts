// The append-only journal of a run (JSON lines): the shard plan, then every assignment, requeue and
// finished shard (with its categories). `snig run --resume` rebuilds the finished set from it, so a
// coordinator crash loses no finished work. A torn last line (crash mid-write) is ignored.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { z } from 'zod';

import { formatIssues } from '../common/zod-issues.js';
import type { ShardResult } from './scheduler.js';
import type { Shard } from './shard-plan.js';

const planEntry = z.object({
  type: z.literal('plan'),
  checksum: z.number(),
  inputRows: z.number(),
  shards: z.array(z.tuple([z.number(), z.number()])),
  at: z.string(),
});
const doneEntry = z.object({
  type: z.literal('done'),
  shard: z.number().int().nonnegative(),
  begin: z.number(),
  end: z.number(),
  worker: z.string(),
  categories: z.array(z.number().int().positive()),
  seconds: z.number(),
  edges: z.number(),
  at: z.string(),
});
const otherEntry = z.object({ type: z.enum(['start', 'assign', 'requeue']) }).passthrough();
const entrySchema = z.union([planEntry, doneEntry, otherEntry]);

export type JournalPlan = Omit<z.infer<typeof planEntry>, 'type' | 'at'>;
export type DoneEntry = z.infer<typeof doneEntry>;

export class JournalError extends Error {
  override readonly name = 'JournalError';
}

const span = (plan: JournalPlan): string => `${plan.shards[0]?.[0]}:${plan.shards.at(-1)?.[1]}`;

/** The same model, inputs and rows: the journal's shards can be finished by this run. */
function sameWork(a: JournalPlan, b: JournalPlan): boolean {
  return a.checksum === b.checksum && a.inputRows === b.inputRows && span(a) === span(b);
}

/** Every entry of a journal file, and the length of its whole lines (a crash can tear the last). */
export function readJournal(path: string): { entries: z.infer<typeof entrySchema>[]; wholeBytes: number; torn: boolean } {
  const text = readFileSync(path, 'utf8');
  const wholeBytes = Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1));
  const lines = text.slice(0, text.lastIndexOf('\n') + 1).split('\n');
  const entries: z.infer<typeof entrySchema>[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new JournalError(`${path}:${i + 1}: not a JSON line`);
    }
    const entry = entrySchema.safeParse(parsed);
    if (!entry.success) throw new JournalError(`${path}:${i + 1}: not a journal entry (${formatIssues(entry.error).join('; ')})`);
    entries.push(entry.data);
  });
  return { entries, wholeBytes, torn: wholeBytes < Buffer.byteLength(text) };
}

export class Journal {
  private fd: number | undefined;

  private constructor(
    readonly path: string,
    /** The shard plan: this run's, or on resume the journal's (so a resumed run may have other workers). */
    readonly plan: JournalPlan,
    /** Shards finished by earlier runs (resume), by id. */
    readonly finished: ReadonlyMap<number, DoneEntry>,
    readonly torn: boolean,
  ) {
    this.fd = openSync(path, 'a');
  }

  /** A new journal (refusing to overwrite one), or, with `resume`, the existing one continued. */
  static open(path: string, plan: JournalPlan, resume: boolean): Journal {
    const exists = existsSync(path);
    if (!resume) {
      if (exists) throw new JournalError(`${path} exists: a run was already started here (use --resume, or another --out)`);
      const journal = new Journal(path, plan, new Map(), false);
      journal.append({ type: 'plan', ...plan }, true);
      journal.append({ type: 'start', resumed: 0 }, true);
      return journal;
    }
    if (!exists) throw new JournalError(`${path}: nothing to resume (no journal)`);
    const { entries, wholeBytes, torn } = readJournal(path);
    const first = entries[0];
    if (!first || first.type !== 'plan') throw new JournalError(`${path}: does not start with the shard plan`);
    const journaled = planEntry.parse(first);
    if (!sameWork(journaled, plan)) {
      throw new JournalError(`${path}: was written for another model, inputs or row range; it cannot be resumed with this configuration`);
    }
    const finished = new Map<number, DoneEntry>();
    for (const entry of entries) if (entry.type === 'done') finished.set(entry.shard as number, entry as DoneEntry);
    // A line the crash cut short is dropped: that shard simply is not finished.
    if (torn) truncateSync(path, wholeBytes);
    const journal = new Journal(path, journaled, finished, torn);
    journal.append({ type: 'start', resumed: finished.size, droppedTornLine: torn }, true);
    return journal;
  }

  /** Appends one line; `durable` waits for the disk (finished shards must survive a crash). */
  append(entry: Record<string, unknown>, durable = false): void {
    if (this.fd === undefined) throw new JournalError(`${this.path}: journal is closed`);
    writeSync(this.fd, `${JSON.stringify({ ...entry, at: new Date().toISOString() })}\n`);
    if (durable) fsyncSync(this.fd);
  }

  recordDone(shard: Shard, worker: string, result: ShardResult): void {
    this.append({ type: 'done', shard: shard.id, begin: shard.begin, end: shard.end, worker, ...result }, true);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
