// A run's verdict does not wait for its workers' exit (a GPU worker's CUDA teardown, ~0.13 s, as
// `snig infer` releases its engine after its own verdict): the report's total runs from the start to
// the verdict, the run returns only once its workers have exited, and a worker that fails after the
// verdict is listed in the report without changing it.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { PhaseClock } from '../common/timing.js';
import { localWorkerCommand } from '../cli/snig-command.js';
import type { RunReport } from '../coordinator/report.js';
import { runCluster } from '../coordinator/run.js';
import { TRUTH, categoryRows, quietRun, sampleConfig, tempDir } from './cluster-fixture.js';

const EXIT_MS = 1500; // the worker's exit after its work, far longer than the run's verdict takes

/** A local worker process whose exit takes EXIT_MS (and ends with `code` if given), handed to the run as its early worker. */
function slowExitingWorker(code?: number): ChildProcess {
  const [node, ...entry] = localWorkerCommand();
  const hook = new URL('./fixtures/slow-exit.mjs', import.meta.url).href;
  const env = { ...process.env, SLOW_EXIT_MS: String(EXIT_MS), ...(code === undefined ? {} : { SLOW_EXIT_CODE: String(code) }) };
  return spawn(node, ['--import', hook, ...entry], { stdio: ['pipe', 'pipe', 'pipe'], env });
}

/** Runs the sample on that one worker; when the verdict came, whether the worker was still running then, and when it exited. */
async function runOn(worker: ChildProcess, out: string): Promise<{ origin: number; report: RunReport; verdict: RunReport; verdictAt: number; aliveAtVerdict: boolean; exitedAt: number }> {
  let exitedAt = NaN;
  worker.once('exit', () => (exitedAt = performance.now()));
  const origin = performance.now();
  let seen: { verdict: RunReport; at: number; alive: boolean } | undefined;
  const config = sampleConfig(out, { workers: [{ launch: 'local', count: 1, engine: 'cpu', threads: 1 }] });
  const report = await runCluster(config, {
    ...quietRun,
    clock: new PhaseClock(origin),
    earlyWorker: worker,
    onVerdict: (verdict) => {
      assert.equal(seen, undefined, 'one verdict');
      seen = { verdict: structuredClone(verdict), at: performance.now(), alive: worker.exitCode === null && worker.signalCode === null };
    },
  });
  assert.ok(seen, 'the verdict was given');
  assert.ok(worker.exitCode !== null || worker.signalCode !== null, 'the run returns once its worker has exited');
  return { origin, report, verdict: seen.verdict, verdictAt: seen.at, aliveAtVerdict: seen.alive, exitedAt };
}

describe('a run\'s verdict and its workers\' exit', { timeout: 120_000 }, () => {
  it('the verdict comes before the worker\'s slow exit; the total runs from the start to the verdict', async () => {
    const out = tempDir('cluster-verdict');
    const worker = slowExitingWorker();
    const { origin, report, verdict, verdictAt, aliveAtVerdict, exitedAt } = await runOn(worker, out);
    assert.equal(report.status, 'PASSED', JSON.stringify(report.verification));
    assert.deepEqual(categoryRows(join(out, 'categories.tsv')), categoryRows(TRUTH));
    assert.ok(aliveAtVerdict, 'the worker was still exiting at the verdict');
    const totalEnd = origin + report.seconds.total * 1000;
    assert.ok(totalEnd <= verdictAt, `the total (${report.seconds.total} s) ends by the verdict`);
    assert.ok(exitedAt - totalEnd > EXIT_MS / 2, `the worker exited ${(exitedAt - totalEnd).toFixed(0)} ms after the total's end, which leaves its exit out`);
    assert.ok((report.seconds.parts.shutdown ?? 0) < EXIT_MS / 2000, `shutdown ${report.seconds.parts.shutdown} s`);
    assert.deepEqual(report, verdict, 'nothing to add after a clean exit');
    assert.equal(worker.exitCode, 0);
  });

  it('a worker that fails after the verdict is listed in the report, and the verdict stands', async () => {
    const out = tempDir('cluster-verdict-failed');
    const worker = slowExitingWorker(9);
    const { report, verdict } = await runOn(worker, out);
    assert.equal(worker.exitCode, 9);
    assert.equal(verdict.status, 'PASSED', JSON.stringify(verdict.verification));
    assert.deepEqual(verdict.failures, [], 'no failure before the verdict');
    assert.equal(report.status, 'PASSED', 'the results were in and verified: a later failure does not change them');
    assert.equal(report.failures.length, 1, JSON.stringify(report.failures));
    assert.equal(report.failures[0]!.afterVerdict, true);
    assert.match(report.failures[0]!.message, /exit code 9/);
    assert.deepEqual({ ...report, failures: [] }, verdict, 'only the failure was added');
    assert.deepEqual(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')), JSON.parse(JSON.stringify(report)), 'report.json written again');
    assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /exit code 9.*after the verdict, which stands/);
  });
});
