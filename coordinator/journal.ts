// The append-only journal of a run (JSON lines): the shard plan, then every split (a queued shard cut
// in two new ones, sized for its worker), assignment (a line per message: the shards given together),
// requeue and finished shard (with its categories). `snig run --resume` replays the splits onto the
// plan and rebuilds the finished set, so a coordinator crash loses no finished work and counts no row
// twice. A torn last line (crash mid-write) is ignored. The plan
// names the work (model, layers, bias, a fingerprint of the inputs, the row range): a resume of other work is
// refused, naming what differs; a finished shard whose rows are not a valid result is done again.
// Group commit: lines wait in memory until the event loop is idle, then go out in one write; a
// finished shard's callback runs only once an fsync covering it has returned, so results arriving
// together share one fsync and nothing is acknowledged before it is on disk.
import { closeSync, existsSync, fsync, fsyncSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { z } from 'zod';

import { formatChecksum } from '../common/checksum.js';
import { formatRowRange } from '../common/row-range.js';
import { formatIssues } from '../common/zod-issues.js';
import { fingerprintDifference } from './fingerprint.js';
import { resultRowsProblem } from './result-rows.js';
import type { ShardResult } from './scheduler.js';
import type { Shard } from './shard-plan.js';

const planEntry = z.object({
  type: z.literal('plan'),
  model: z.object({ checksum: z.number(), layers: z.number(), bias: z.number().nullable() }), // bias null: the challenge's
  inputs: z.object({
    rows: z.number(),
    fingerprint: z.object({ bytes: z.number(), mtimeMs: z.number(), sha256: z.string(), hashed: z.enum(['full', 'sampled']) }),
  }),
  rowRange: z.tuple([z.number(), z.number()]), // [begin, end), 0-based
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
const shardTuple = z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative(), z.number().int().nonnegative()]); // id, begin, end
const splitEntry = z.object({ type: z.literal('split'), shard: z.number().int().nonnegative(), into: z.tuple([shardTuple, shardTuple]), at: z.string() });
const otherEntry = z.object({ type: z.enum(['start', 'assign', 'requeue']) }).passthrough();
const entrySchema = z.union([planEntry, doneEntry, splitEntry, otherEntry]);

export type JournalPlan = Omit<z.infer<typeof planEntry>, 'type' | 'at'>;
export type DoneEntry = z.infer<typeof doneEntry>;

export class JournalError extends Error {
  override readonly name = 'JournalError';
}

/** What differs between the journal's work and this run's (empty: this run can finish the journal's shards). */
export function workDifferences(then: JournalPlan, now: JournalPlan): string[] {
  const differences: string[] = [];
  const was = (what: string, a: unknown, b: unknown): void => {
    if (a !== b) differences.push(`${what} (${a} then, ${b} now)`);
  };
  was('model checksum', formatChecksum(then.model.checksum), formatChecksum(now.model.checksum));
  was('layers', then.model.layers, now.model.layers);
  was('bias', then.model.bias ?? 'default', now.model.bias ?? 'default');
  if (then.inputs.rows !== now.inputs.rows) was('input rows', then.inputs.rows, now.inputs.rows);
  else {
    const inputs = fingerprintDifference(then.inputs.fingerprint, now.inputs.fingerprint);
    if (inputs) differences.push(`inputs (${inputs})`);
  }
  const span = ([begin, end]: readonly [number, number]): string => formatRowRange({ begin, end });
  was('row range', span(then.rowRange), span(now.rowRange));
  return differences;
}

/**
 * The plan's shards with the journaled splits applied, in order: the shards of the run by id, and the
 * first id a new split may use. A split that does not cut a shard of the run in two new ones is an error.
 */
function replaySplits(path: string, plan: JournalPlan, entries: ReadonlyArray<{ line: number; entry: z.infer<typeof splitEntry> }>): { shards: Map<number, Shard>; nextId: number } {
  const shards = new Map(plan.shards.map(([begin, end], id) => [id, { id, begin, end }]));
  let nextId = plan.shards.length;
  for (const { line, entry } of entries) {
    const cut = shards.get(entry.shard);
    const [[headId, headBegin, headEnd], [tailId, tailBegin, tailEnd]] = entry.into;
    const tiles = cut !== undefined && headBegin === cut.begin && headEnd === tailBegin && tailEnd === cut.end && headBegin < headEnd && tailBegin < tailEnd;
    if (!tiles || headId < nextId || tailId <= headId) {
      throw new JournalError(`${path}:${line}: split of shard ${entry.shard} does not cut a shard of the run in two new shards`);
    }
    shards.delete(entry.shard);
    shards.set(headId, { id: headId, begin: headBegin, end: headEnd });
    shards.set(tailId, { id: tailId, begin: tailBegin, end: tailEnd });
    nextId = tailId + 1;
  }
  return { shards, nextId };
}

/** Why a journaled finished shard is not one of the run's shards with a valid result, or undefined. */
function doneProblem(shards: ReadonlyMap<number, Shard>, done: DoneEntry): string | undefined {
  const shard = shards.get(done.shard);
  if (!shard || shard.begin !== done.begin || shard.end !== done.end) return `shard ${done.shard} (rows ${formatRowRange(done)}) is not in the plan`;
  const problem = resultRowsProblem({ begin: done.begin, end: done.end }, done.categories);
  return problem && `shard ${done.shard}: ${problem}`;
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

/** Called once an entry is durable, or with the error that kept it from being so. */
export type Durable = (error?: Error) => void;

export class Journal {
  private fd: number | undefined;
  private lines: string[] = []; // not yet written
  private waiting: Durable[] = []; // for the lines not yet written
  private syncing = false; // an fsync is in flight (its lines are written)
  private scheduled = false;
  private onSettled: Array<() => void> = [];
  private stampedAt = Number.NaN; // Date.now() of `stamp`
  private stamp = '';

  private constructor(
    readonly path: string,
    /** The shard plan: this run's, or on resume the journal's (so a resumed run may have other workers). */
    readonly plan: JournalPlan,
    /** The run's shards: the plan's, with the journaled splits applied; and the first id a new split may use. */
    readonly shards: readonly Shard[],
    readonly nextShardId: number,
    /** Shards finished by earlier runs (resume), by id. */
    readonly finished: ReadonlyMap<number, DoneEntry>,
    readonly torn: boolean,
    /** Finished shards read back that are not valid results ("line: problem"): they are done again. */
    readonly invalid: readonly string[] = [],
  ) {
    this.fd = openSync(path, 'a');
  }

  /** A new journal (refusing to overwrite one), or, with `resume`, the existing one continued. */
  static open(path: string, plan: JournalPlan, resume: boolean): Journal {
    const exists = existsSync(path);
    if (!resume) {
      if (exists) throw new JournalError(`${path} exists: a run was already started here (use --resume, or another --out)`);
      const journal = new Journal(path, plan, plan.shards.map(([begin, end], id) => ({ id, begin, end })), plan.shards.length, new Map(), false);
      journal.append({ type: 'plan', ...plan }, true);
      journal.append({ type: 'start', resumed: 0 }, true);
      return journal;
    }
    if (!exists) throw new JournalError(`${path}: nothing to resume (no journal)`);
    const { entries, wholeBytes, torn } = readJournal(path);
    const first = entries[0];
    if (!first || first.type !== 'plan') throw new JournalError(`${path}: does not start with the shard plan`);
    const parsed = planEntry.safeParse(first);
    if (!parsed.success) throw new JournalError(`${path}:1: not a shard plan of this version of snig (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`);
    const journaled = parsed.data;
    const differences = workDifferences(journaled, plan);
    if (differences.length > 0) {
      throw new JournalError(`${path}: cannot be resumed with this configuration, which differs in ${differences.join('; ')}`);
    }
    const splits = entries.flatMap((entry, i) => (entry.type === 'split' ? [{ line: i + 1, entry: entry as z.infer<typeof splitEntry> }] : []));
    const { shards, nextId } = replaySplits(path, journaled, splits);
    const finished = new Map<number, DoneEntry>();
    const invalid: string[] = [];
    entries.forEach((entry, i) => {
      if (entry.type !== 'done') return;
      const problem = doneProblem(shards, entry as DoneEntry);
      if (problem) invalid.push(`${path}:${i + 1}: ${problem}`);
      else if (!finished.has(entry.shard as number)) finished.set(entry.shard as number, entry as DoneEntry);
    });
    // A line the crash cut short is dropped: that shard simply is not finished.
    if (torn) truncateSync(path, wholeBytes);
    const journal = new Journal(path, journaled, [...shards.values()].sort((a, b) => a.begin - b.begin), nextId, finished, torn, invalid);
    journal.append({ type: 'start', resumed: finished.size, droppedTornLine: torn, invalidDone: invalid }, true);
    return journal;
  }

  /**
   * Appends one line. `durable` (the plan, the start) writes and syncs it now; otherwise it goes out
   * with the next group commit, and `then` (if given) runs once it is on disk.
   */
  append(entry: Record<string, unknown>, durable = false, then?: Durable): void {
    this.write({ ...entry, at: this.timestamp() }, durable, then);
  }

  /** The shards given to a worker in one message. */
  recordAssign(worker: string, shards: readonly number[]): void {
    this.write({ type: 'assign', worker, shards, at: this.timestamp() });
  }

  /** A finished shard: `then` runs once it is durable (only then may it be counted or acknowledged). */
  recordDone(shard: Shard, worker: string, result: ShardResult, then?: Durable): void {
    // A literal, not spreads: a line per result, and V8 serializes a spread object several times slower.
    const { categories, seconds, edges, callSeconds, inputBytes } = result;
    this.write({ type: 'done', shard: shard.id, begin: shard.begin, end: shard.end, worker, categories, seconds, edges, callSeconds, inputBytes, at: this.timestamp() }, false, then);
  }

  /** A queued shard cut in two new shards (before the first of them is assigned). */
  recordSplit(shard: Shard, into: readonly [Shard, Shard]): void {
    this.append({ type: 'split', shard: shard.id, into: into.map((s) => [s.id, s.begin, s.end]) });
  }

  private write(entry: object, durable = false, then?: Durable): void {
    if (this.fd === undefined) throw new JournalError(`${this.path}: journal is closed`);
    this.lines.push(`${JSON.stringify(entry)}\n`);
    if (then) this.waiting.push(then);
    if (durable) this.flushNow();
    else this.schedule();
  }

  /** The time of a line: the same string for every line of the same millisecond (thousands a second). */
  private timestamp(): string {
    const now = Date.now();
    if (now !== this.stampedAt) {
      this.stampedAt = now;
      this.stamp = new Date(now).toISOString();
    }
    return this.stamp;
  }

  /** Runs `then` once everything appended so far is durable (at once if it already is). */
  afterDurable(then: Durable): void {
    if (this.lines.length === 0 && !this.syncing) then();
    else this.waiting.push(then);
  }

  /** Resolves once nothing is waiting to be written or synced. */
  settled(): Promise<void> {
    if (this.lines.length === 0 && !this.syncing) return Promise.resolve();
    return new Promise((resolve) => this.onSettled.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled || this.syncing) return; // a sync in flight commits the next group when it returns
    this.scheduled = true;
    setImmediate(() => this.commit());
  }

  /** Writes the waiting lines in one write and syncs them without blocking the event loop. */
  private commit(): void {
    this.scheduled = false;
    if (this.fd === undefined || this.syncing) return;
    if (this.lines.length === 0) return this.settle(this.waiting.splice(0));
    const callbacks = this.take();
    this.syncing = true;
    fsync(this.fd, (error) => {
      this.syncing = false;
      this.settle(callbacks, error ?? undefined);
      if (this.lines.length > 0) this.schedule();
      else this.settle(this.waiting.splice(0)); // afterDurable calls made during the sync
    });
  }

  /** Writes the waiting lines (the caller syncs them) and returns their callbacks. */
  private take(): Durable[] {
    writeSync(this.fd!, this.lines.join(''));
    const callbacks = this.waiting;
    this.lines = [];
    this.waiting = [];
    return callbacks;
  }

  private flushNow(): void {
    const callbacks = this.take();
    fsyncSync(this.fd!);
    this.settle(callbacks);
  }

  private settle(callbacks: Durable[], error?: Error): void {
    const failure = error && new JournalError(`${this.path}: fsync failed: ${error.message}`);
    for (const then of callbacks) then(failure);
    if (this.lines.length === 0 && !this.syncing) for (const resolve of this.onSettled.splice(0)) resolve();
  }

  /** Writes and syncs whatever is still waiting, then closes. */
  close(): void {
    if (this.fd === undefined) return;
    if (this.lines.length > 0 || this.waiting.length > 0) this.flushNow();
    closeSync(this.fd);
    this.fd = undefined;
  }
}
