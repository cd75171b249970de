// The run journal: refuses to overwrite a run, resumes only the same work (and says what differs),
// survives a torn last line, and does not take back a finished shard whose rows are not a result.
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { fingerprint, type Fingerprint } from '../coordinator/fingerprint.js';
import { Journal, type JournalPlan } from '../coordinator/journal.js';
import { tempDir } from './cluster-fixture.js';

const inputs: Fingerprint = { bytes: 300, mtimeMs: 1, sha256: 'ab'.repeat(32), hashed: 'full' };
const plan: JournalPlan = {
  model: { checksum: 7, layers: 120, bias: null },
  inputs: { rows: 30, fingerprint: inputs },
  rowRange: [0, 30],
  shards: [[0, 10], [10, 20], [20, 30]],
};

describe('journal', () => {
  it('records finished shards durably and gives them back on resume', () => {
    const path = join(tempDir('journal'), 'journal.jsonl');
    const first = Journal.open(path, plan, false);
    first.append({ type: 'assign', shard: 1, worker: 'w' });
    first.recordDone({ id: 1, begin: 10, end: 20 }, 'w', { categories: [12, 19], seconds: 0.5, edges: 100 });
    first.close();
    assert.throws(() => Journal.open(path, plan, false), /already started.*--resume/);
    assert.throws(() => Journal.open(path, { ...plan, model: { checksum: 8, layers: 60, bias: -0.3 } }, true), /differs in model checksum \(00000007 then, 00000008 now\); layers \(120 then, 60 now\); bias \(default then, -0.3 now\)$/);
    assert.throws(() => Journal.open(path, { ...plan, inputs: { rows: 30, fingerprint: { ...inputs, sha256: 'cd'.repeat(32) } } }, true), /differs in inputs \(same size, other contents/);
    assert.throws(() => Journal.open(path, { ...plan, inputs: { rows: 40, fingerprint: inputs } }, true), /differs in input rows \(30 then, 40 now\)$/);
    assert.throws(() => Journal.open(path, { ...plan, rowRange: [0, 25] }, true), /differs in row range \(1:30 then, 1:25 now\)$/);
    // Other workers may plan other shards: the journal's plan is kept.
    const resumed = Journal.open(path, { ...plan, shards: [[0, 15], [15, 30]] }, true);
    assert.deepEqual(resumed.plan.shards, plan.shards);
    assert.deepEqual([...resumed.finished.keys()], [1]);
    assert.deepEqual(resumed.finished.get(1)?.categories, [12, 19]);
    resumed.close();
    assert.throws(() => Journal.open(join(path, '..', 'none.jsonl'), plan, true), /nothing to resume/);
  });

  it('commits results that arrive together with one write, and acknowledges none before it is on disk', async () => {
    const path = join(tempDir('journal-group'), 'journal.jsonl');
    const journal = Journal.open(path, plan, false);
    const doneLines = (): number => readFileSync(path, 'utf8').split('\n').filter((line) => line.includes('"done"')).length;
    const seen: number[] = [];
    const acknowledged = [0, 1, 2].map((id) => new Promise<void>((resolve, reject) => {
      journal.recordDone({ id, begin: 10 * id, end: 10 * id + 10 }, 'w', { categories: [], seconds: 0.1, edges: 10 }, (error) => {
        if (error) return reject(error);
        seen.push(doneLines()); // on disk by now, with the others of its group
        resolve();
      });
    }));
    assert.equal(doneLines(), 0, 'nothing is written before the event loop turns');
    let completed = false;
    journal.afterDurable(() => (completed = true));
    assert.equal(completed, false, 'the run cannot complete before its results are durable');
    await Promise.all(acknowledged);
    assert.deepEqual(seen, [3, 3, 3]);
    assert.ok(completed);
    await journal.settled();
    journal.close();
    const resumed = Journal.open(path, plan, true);
    assert.deepEqual([...resumed.finished.keys()], [0, 1, 2]);
    resumed.close();
  });

  it('drops a line torn by a crash, and stays readable afterwards', () => {
    const path = join(tempDir('journal-torn'), 'journal.jsonl');
    const journal = Journal.open(path, plan, false);
    journal.recordDone({ id: 0, begin: 0, end: 10 }, 'w', { categories: [3], seconds: 0.1, edges: 10 });
    journal.close();
    appendFileSync(path, '{"type":"done","shard":2,"begin":20,"end":30,"wor'); // the crash
    const resumed = Journal.open(path, plan, true);
    assert.ok(resumed.torn);
    assert.deepEqual([...resumed.finished.keys()], [0]);
    resumed.recordDone({ id: 2, begin: 20, end: 30 }, 'v', { categories: [], seconds: 0.1, edges: 10 });
    resumed.close();
    for (const line of readFileSync(path, 'utf8').trim().split('\n')) JSON.parse(line);
    const again = Journal.open(path, plan, true);
    assert.deepEqual([...again.finished.keys()].sort(), [0, 2]);
    again.close();
  });
});

describe('journal: what it takes back on resume', () => {
  it('does not take back a finished shard whose rows repeat, fall outside it, or that is not in the plan', () => {
    const path = join(tempDir('journal-invalid'), 'journal.jsonl');
    const journal = Journal.open(path, plan, false);
    journal.recordDone({ id: 0, begin: 0, end: 10 }, 'w', { categories: [2, 5], seconds: 0.1, edges: 10 });
    journal.recordDone({ id: 1, begin: 10, end: 20 }, 'w', { categories: [11, 11, 12, 12], seconds: 0.1, edges: 10 });
    journal.recordDone({ id: 2, begin: 20, end: 30 }, 'w', { categories: [21, 31], seconds: 0.1, edges: 10 });
    journal.recordDone({ id: 2, begin: 20, end: 25 }, 'w', { categories: [21], seconds: 0.1, edges: 10 });
    journal.close();
    const resumed = Journal.open(path, plan, true);
    assert.deepEqual([...resumed.finished.keys()], [0]);
    assert.equal(resumed.invalid.length, 3);
    assert.match(resumed.invalid[0]!, /journal\.jsonl:4: shard 1: rows are not strictly increasing \(11 then 11\)/);
    assert.match(resumed.invalid[1]!, /journal\.jsonl:5: shard 2: row 31 is outside the shard's rows 21:30/);
    assert.match(resumed.invalid[2]!, /journal\.jsonl:6: shard 2 \(rows 21:25\) is not in the plan/);
    resumed.close();
  });
});

describe('journal: split shards', () => {
  it('replays the splits onto the plan on resume: the pieces are the run\'s shards, a finished piece stays finished', () => {
    const path = join(tempDir('journal-split'), 'journal.jsonl');
    const journal = Journal.open(path, plan, false);
    assert.equal(journal.nextShardId, 3);
    journal.recordSplit({ id: 2, begin: 20, end: 30 }, [{ id: 3, begin: 20, end: 24 }, { id: 4, begin: 24, end: 30 }]);
    journal.recordSplit({ id: 4, begin: 24, end: 30 }, [{ id: 5, begin: 24, end: 25 }, { id: 6, begin: 25, end: 30 }]);
    journal.recordDone({ id: 3, begin: 20, end: 24 }, 'w', { categories: [22], seconds: 0.1, edges: 10 });
    journal.recordDone({ id: 2, begin: 20, end: 30 }, 'w', { categories: [22], seconds: 0.1, edges: 10 }); // a shard that was split: not one of the run's
    journal.close();
    const resumed = Journal.open(path, plan, true);
    assert.deepEqual(resumed.shards.map((s) => [s.id, s.begin, s.end]), [[0, 0, 10], [1, 10, 20], [3, 20, 24], [5, 24, 25], [6, 25, 30]]);
    assert.equal(resumed.nextShardId, 7, 'new splits never reuse an id the journal has seen');
    assert.deepEqual([...resumed.finished.keys()], [3]);
    assert.match(resumed.invalid[0]!, /journal\.jsonl:6: shard 2 \(rows 21:30\) is not in the plan/);
    resumed.close();
  });

  it('refuses a journal whose split does not cut one of its shards in two', () => {
    const path = join(tempDir('journal-bad-split'), 'journal.jsonl');
    const journal = Journal.open(path, plan, false);
    journal.recordSplit({ id: 1, begin: 10, end: 20 }, [{ id: 3, begin: 10, end: 15 }, { id: 4, begin: 16, end: 20 }]); // row 16 lost
    journal.close();
    assert.throws(() => Journal.open(path, plan, true), /journal\.jsonl:3: split of shard 1 does not cut a shard of the run in two new shards/);
  });
});

describe('input fingerprint', () => {
  it('tells files of the same size apart, fully hashed when small, sampled with the time when large', () => {
    const dir = tempDir('fingerprint');
    const a = join(dir, 'a.tsv');
    const b = join(dir, 'b.tsv');
    writeFileSync(a, '1\t1\t1\n2\t5\t1\n'.repeat(10_000));
    writeFileSync(b, '1\t1\t1\n2\t6\t1\n'.repeat(10_000));
    const fa = fingerprint(a);
    assert.equal(fa.hashed, 'full');
    assert.equal(fa.bytes, fingerprint(b).bytes);
    assert.notEqual(fa.sha256, fingerprint(b).sha256);
    utimesSync(a, new Date(5000), new Date(5000));
    assert.equal(fingerprint(a).sha256, fa.sha256, 'a full hash does not depend on the time');
    const sampled = fingerprint(a, 1000);
    assert.equal(sampled.hashed, 'sampled');
    assert.equal(sampled.mtimeMs, 5000);
  });
});
