// The coordinator against simulated workers (scripts/bench/sim/), small: the real `snig run` with
// workers `launch: manual`, fleets of protocol-correct simulated workers in two processes that answer
// from the official truth, and idle peers around them. Real properties, not timing: every row is
// answered exactly once, the verdict is right, idle peers are not workers of the run, and a kill -9
// loses no shard the coordinator had counted.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { crashRun, simulate, type SimulationOptions } from '../scripts/bench/sim/harness.js';
import { journalLines, tempDir } from './cluster-fixture.js';

const small = (out: string): SimulationOptions => ({
  out, workers: 12, real: 0, idle: 40, rows: 0, repeat: 1, shardRows: 10, minShardRows: 2,
  msPerRow: 0.2, jitter: 0.5, stragglers: 0.25, slowdown: 2, prefetch: 2, processes: 2, fleetNice: 0,
  heartbeatMs: 200, logLevel: 'warn', layers: 120, seed: 7,
});

/** The rows [begin, end) of each shard journaled as done; fails on a shard done twice. */
function doneShards(runOut: string): Array<[number, number]> {
  const done = journalLines(runOut).filter((l) => l.type === 'done');
  assert.equal(new Set(done.map((d) => d.shard)).size, done.length, 'no shard is journaled done twice');
  return done.map((d) => [d.begin!, d.end!]);
}

describe('coordinator with simulated workers', { timeout: 180_000 }, () => {
  it('answers every row exactly once and PASSES against the official truth; idle peers are not workers', async () => {
    const out = tempDir('simulate');
    const r = await simulate({ ...small(out), logLevel: 'info' });
    assert.equal(r.status, 'PASSED');
    assert.equal(r.exitCode, 0);
    assert.equal(r.rows, 1200);
    assert.equal(r.workerRows, 1200, 'the simulated workers computed each row once');
    assert.equal(r.reportedWorkers, 12, 'the 40 idle peers are not in the report');
    const covered = doneShards(join(out, 'run')).sort((a, b) => a[0] - b[0]);
    assert.equal(covered.length, r.shards);
    covered.forEach(([begin], i) => assert.equal(begin, i === 0 ? 0 : covered[i - 1]![1], 'shards tile the rows'));
    assert.equal(covered.at(-1)![1], 1200);
    // Progress at info: at most a line a second (not one per shard), the last one included, adding up to every shard.
    const log = readFileSync(join(out, 'coordinator.log'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { msg: string; shards?: number; shardsDone?: number });
    const progress = log.filter((l) => l.msg === 'shards done');
    assert.equal(progress.reduce((n, l) => n + l.shards!, 0), r.shards);
    assert.deepEqual(progress.map((l) => l.shardsDone), progress.map((_, i) => progress.slice(0, i + 1).reduce((n, l) => n + l.shards!, 0)), 'shardsDone counts them');
    assert.equal(log.filter((l) => l.msg === 'shard done').length, 0, 'no line per shard at info');
  });

  it('a kill -9 loses no shard the coordinator had counted as done', async () => {
    const out = tempDir('simulate-crash');
    // Many small shards finishing together, so group commits hold several results each; 5 ms a row
    // keeps the run going ~0.1 s past the 300th counted shard, time for the kill to come mid-run on a loaded machine.
    const options = { ...small(out), workers: 40, idle: 0, shardRows: 1, minShardRows: 1, msPerRow: 5, logLevel: 'debug' };
    const { counted, runOut } = await crashRun(options, 300);
    assert.equal(counted.length, 300);
    const journaled = new Set(doneShards(runOut).map(([begin]) => begin)); // one row per shard: shard id = begin row
    assert.deepEqual(counted.filter((shard) => !journaled.has(shard)), [], 'every counted shard is in the journal');
    assert.ok(journaled.size < 1200, 'the coordinator was killed mid-run');
  });

  it('sizes shards by time, journals the splits, and a resume after a kill -9 computes every row exactly once', async () => {
    const out = tempDir('simulate-split');
    // 5 ms a row (stragglers 10): a 20-row plan shard is cut to 25 ms (5 rows, 2 for a straggler) once measured.
    const options = { ...small(out), workers: 8, idle: 0, shardRows: 20, minShardRows: 1, msPerRow: 5, jitter: 0, targetSeconds: 0.025, minSeconds: 0.01, logLevel: 'debug' };
    const { counted, runOut } = await crashRun(options, 60);
    const before = journalLines(runOut);
    assert.ok(before.some((l) => l.type === 'split'), 'measured workers got split shards');
    const finishedBefore = new Set(before.filter((l) => l.type === 'done').map((l) => l.shard));
    assert.deepEqual(counted.filter((shard) => !finishedBefore.has(shard)), [], 'every counted shard is in the journal');

    const r = await simulate({ ...options, resume: true });
    assert.equal(r.status, 'PASSED');
    const after = journalLines(runOut).slice(before.length);
    const assignedAgain = after.filter((l) => l.type === 'assign').flatMap((l) => l.shards ?? []).filter((shard) => finishedBefore.has(shard));
    assert.deepEqual(assignedAgain, [], 'no shard finished before the crash is handed out again');
    const covered = doneShards(runOut).sort((a, b) => a[0] - b[0]);
    covered.forEach(([begin], i) => assert.equal(begin, i === 0 ? 0 : covered[i - 1]![1], 'finished shards tile the rows: none lost, none twice'));
    assert.equal(covered.at(-1)![1], 1200);
    assert.ok(finishedBefore.size < covered.length, 'the coordinator was killed mid-run');
  });
});
