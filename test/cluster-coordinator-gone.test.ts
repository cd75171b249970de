// A worker started by hand (or by srun) whose coordinator's process ends (kill -9) leaves within the
// coordinator's timeout (exit 4, saying why) instead of waiting through its retries; a coordinator
// that is only slow (stopped for three timeouts: its kernel keeps the connection) is waited for.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';

import { MAIN, alive, sampleConfig, tempDir } from './cluster-fixture.js';

const TIMEOUT_MS = 1500; // coordinator.timeoutMs
const SLACK_MS = 5000; // a worker's process noticing, on a loaded 2-core VM

/** The JSON log lines of a process's stderr, as they come. */
function logLines(child: ChildProcess): AsyncIterator<{ msg?: string; endpoint?: string; reason?: string }> {
  const lines = createInterface({ input: child.stderr! })[Symbol.asyncIterator]();
  return {
    next: async () => {
      const line = await lines.next();
      return line.done ? line : { done: false, value: JSON.parse(line.value) as { msg?: string } };
    },
  };
}

async function until(lines: AsyncIterator<{ msg?: string }>, msg: string): Promise<{ msg?: string; endpoint?: string; reason?: string }> {
  for (;;) {
    const line = await lines.next();
    assert.ok(!line.done, `the log ended before "${msg}"`);
    if (line.value.msg === msg) return line.value;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('a worker started by hand', { timeout: 120_000 }, () => {
  it("waits for a stopped coordinator, and leaves within the timeout of its kill -9 (exit 4, saying why)", async () => {
    const out = tempDir('coordinator-gone');
    // Two manual workers planned and one coming: it waits, ready, for the start grace. Five retries
    // of a silent coordinator take about 5 × 1.5 s, longer than the stop below.
    const config = sampleConfig(out, {
      coordinator: { heartbeatMs: 200, timeoutMs: TIMEOUT_MS, startGraceMs: 600_000 },
      worker: { retries: 5, retryDelayMs: 300, prefetch: 2 },
      workers: [{ launch: 'manual', count: 2 }],
    });
    const configPath = join(out, 'run.json');
    writeFileSync(configPath, JSON.stringify(config));
    const run = spawn(process.execPath, ['--import', 'tsx', MAIN, 'run', configPath, '--no-progress', '--log-format', 'json'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const runExited = new Promise((resolve) => run.once('exit', resolve));
    const coordinatorLog = logLines(run);
    const { endpoint } = await until(coordinatorLog, 'coordinator listening');
    const worker = spawn(process.execPath, ['--import', 'tsx', MAIN, 'worker', '--connect', endpoint!, '--name', 'by-hand', '--engine', 'cpu', '--threads', '1', '--retries', '5', '--retry-delay-ms', '300', '--log-format', 'json'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const workerLog: Array<{ msg?: string; reason?: string }> = [];
    const workerExited = new Promise<number | null>((resolve) => worker.once('exit', resolve));
    void (async () => {
      for await (const line of createInterface({ input: worker.stderr })) workerLog.push(JSON.parse(line) as { msg?: string });
    })();
    try {
      await until(coordinatorLog, 'worker ready');

      run.kill('SIGSTOP');
      await sleep(3 * TIMEOUT_MS);
      assert.ok(alive(worker.pid!), 'the worker waits for a coordinator that is only slow');
      run.kill('SIGCONT');
      await sleep(500);
      assert.ok(alive(worker.pid!), 'and still after it goes on');

      run.kill('SIGKILL');
      await runExited;
      const killedAt = Date.now();
      const bound = new Promise<string>((resolve) => setTimeout(() => resolve('still running'), TIMEOUT_MS + SLACK_MS));
      const code = await Promise.race([workerExited, bound]);
      assert.equal(code, 4, `exit 4 within ${TIMEOUT_MS + SLACK_MS} ms of the kill (after ${Date.now() - killedAt} ms)`);
      assert.ok(Date.now() - killedAt >= TIMEOUT_MS - 250, 'not before the timeout: a coordinator restarted within it is rejoined');
      const stopped = workerLog.find((entry) => entry.msg === 'worker stopped');
      assert.match(stopped?.reason ?? '', /^the coordinator at tcp:\/\/127\.0\.0\.1:\d+ is gone: its connection closed \d+ ms ago and did not come back$/);
    } finally {
      for (const child of [run, worker]) if (alive(child.pid!)) child.kill('SIGKILL');
    }
  });
});
