// A coordinator killed mid-run (kill -9) and resumed: every shard it had counted as done is in the
// journal, the run PASSES, and no shard finished before the crash is handed out again.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';

import { runCluster } from '../coordinator/run.js';
import { MAIN, TRUTH, alive, categoryRows, journalLines, quietRun, sampleConfig, tempDir } from './cluster-fixture.js';

/** Runs `snig run` in a child process and kills it (-9) after `shards` shards are done (logged as counted, at debug). */
async function crashAfter(configPath: string, shards: number): Promise<{ workerPids: number[]; counted: number[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'run', configPath, '--no-progress', '--log-level', 'debug'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const workerPids: number[] = [];
  const counted: number[] = [];
  let done = 0;
  for await (const line of createInterface({ input: child.stderr })) {
    const entry = JSON.parse(line) as { msg?: string; shard?: number; workers?: Array<{ pid: number }> };
    if (entry.msg === 'local workers started') workerPids.push(...(entry.workers ?? []).map((w) => w.pid));
    if (entry.msg === 'shard done') counted.push(entry.shard!);
    if (entry.msg === 'shard done' && ++done === shards) {
      child.kill('SIGSTOP'); // frozen at once, mid-run; then the crash itself
      child.kill('SIGKILL');
      break;
    }
  }
  await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once('exit', resolve)));
  assert.equal(done, shards, 'the coordinator was killed mid-run');
  return { workerPids, counted };
}

describe('coordinator crash and --resume', { timeout: 120_000 }, () => {
  it('resumes from the journal without recomputing a finished shard, and PASSES', async () => {
    const out = tempDir('cluster-resume');
    // Small shards (2 rows), one at a time: the run is long enough (600 round trips) to be caught mid-way.
    const config = sampleConfig(out, {
      shards: { maxRows: 2, minRows: 2 },
      worker: { retries: 2, retryDelayMs: 300, prefetch: 1 },
      workers: [{ launch: 'local', count: 2, engine: 'cpu', threads: 1 }],
    });
    const configPath = join(out, 'run.json');
    writeFileSync(configPath, JSON.stringify({ ...config, out }));
    const { workerPids, counted } = await crashAfter(configPath, 3);

    // Orphaned workers see their stdin end with their snig run, and leave (test/cluster-lifeline.test.ts).
    const deadline = Date.now() + 20_000;
    while (workerPids.some(alive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(workerPids.filter(alive), [], 'orphaned workers exited cleanly');

    const before = journalLines(out);
    const finishedBefore = new Set(before.filter((l) => l.type === 'done').map((l) => l.shard));
    assert.deepEqual(counted.filter((shard) => !finishedBefore.has(shard)), [], 'every shard counted before the crash was on disk');
    assert.ok(finishedBefore.size >= 3 && finishedBefore.size < 600, `${finishedBefore.size} of 600 shards journaled before the crash`);

    // The resumed run may have other workers (3, not 2): it keeps the journal's shard plan.
    const resumed = { ...config, workers: [{ ...config.workers[0]!, count: 3 }] };
    const report = await runCluster(resumed, { ...quietRun, resume: true });
    assert.equal(report.status, 'PASSED', JSON.stringify(report.verification));
    assert.deepEqual(categoryRows(join(out, 'categories.tsv')), categoryRows(TRUTH));
    assert.equal(report.shards.resumed, finishedBefore.size);
    assert.equal(report.shards.computed, report.shards.planned + report.shards.splits - finishedBefore.size);

    const after = journalLines(out).slice(before.length);
    const assignedAfter = after.filter((l) => l.type === 'assign').flatMap((l) => l.shards ?? []); // one line per assignment message
    assert.ok(assignedAfter.length >= report.shards.computed, 'every remaining shard was assigned');
    assert.deepEqual(assignedAfter.filter((s) => finishedBefore.has(s)), [], 'no finished shard assigned again');
    const done = journalLines(out).filter((l) => l.type === 'done').map((l) => l.shard);
    assert.equal(new Set(done).size, done.length, 'no shard finished twice');
    assert.equal(done.length, report.shards.planned + report.shards.splits);
  });
});
