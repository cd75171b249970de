// The local workers of a `snig run` killed with -9 leave at once (their stdin, held by `snig run`,
// ends), each its own process: the one started early, whose output went through `snig run`, and
// one spawned with a log file of its own. Without that they would wait for a silent coordinator
// through every retry (here over a minute), holding their GPUs.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';

import { MAIN, alive, sampleConfig, tempDir } from './cluster-fixture.js';

const BOUND_MS = 10_000; // from the kill to the last worker gone, on a loaded 2-core VM

describe('local workers of a killed snig run', { timeout: 120_000 }, () => {
  it('exit within the bound, and the one with its own log says why', async () => {
    const out = tempDir('cluster-lifeline');
    // Two local workers, and a manual one that never comes: the two wait, ready, for the start grace.
    const config = sampleConfig(out, {
      coordinator: { startGraceMs: 600_000 },
      worker: { retries: 5, retryDelayMs: 1000, prefetch: 2 },
      workers: [
        { launch: 'local', count: 2, engine: 'cpu', threads: 1 },
        { launch: 'manual', count: 1 },
      ],
    });
    const configPath = join(out, 'run.json');
    writeFileSync(configPath, JSON.stringify(config));
    const run = spawn(process.execPath, ['--import', 'tsx', MAIN, 'run', configPath, '--no-progress', '--log-format', 'json'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const exited = new Promise((resolve) => run.once('exit', resolve));
    const workers: Array<{ name: string; pid: number }> = [];
    let ready = 0;
    for await (const line of createInterface({ input: run.stderr })) {
      const entry = JSON.parse(line) as { msg?: string; workers?: Array<{ name: string; pid: number }> };
      if (entry.msg === 'local workers started') workers.push(...entry.workers!);
      if (entry.msg === 'worker ready' && ++ready === 2) break;
    }
    assert.equal(workers.length, 2, 'both local workers started');
    assert.equal(ready, 2, 'both local workers ready');

    run.kill('SIGKILL');
    await exited;
    const killedAt = Date.now();
    while (workers.some((w) => alive(w.pid)) && Date.now() - killedAt < BOUND_MS) await new Promise((resolve) => setTimeout(resolve, 100));
    const left = workers.filter((w) => alive(w.pid));
    for (const w of left) process.kill(w.pid, 'SIGKILL'); // a failed test leaves nothing behind either
    assert.deepEqual(left, [], `every worker gone within ${BOUND_MS} ms of the kill`);
    // The first worker's output went through `snig run`; the second's log is its own.
    const log = readFileSync(join(out, 'workers', `${workers[1]!.name}.log`), 'utf8');
    assert.match(log, /"reason":"snig run has ended[^"]*","msg":"worker stopped"/);
  });
});
