// The run journal: refuses to overwrite a run, resumes only the same plan, survives a torn last line.
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { Journal } from '../coordinator/journal.js';
import { tempDir } from './cluster-fixture.js';

const plan = { checksum: 7, inputRows: 30, shards: [[0, 10], [10, 20], [20, 30]] as Array<[number, number]> };

describe('journal', () => {
  it('records finished shards durably and gives them back on resume', () => {
    const path = join(tempDir('journal'), 'journal.jsonl');
    const first = Journal.open(path, plan, false);
    first.append({ type: 'assign', shard: 1, worker: 'w' });
    first.recordDone({ id: 1, begin: 10, end: 20 }, 'w', { categories: [12, 19], seconds: 0.5, edges: 100 });
    first.close();
    assert.throws(() => Journal.open(path, plan, false), /already started.*--resume/);
    assert.throws(() => Journal.open(path, { ...plan, checksum: 8 }, true), /another model/);
    assert.throws(() => Journal.open(path, { ...plan, shards: [[0, 10], [10, 25]] }, true), /row range/);
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
