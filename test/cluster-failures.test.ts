// A cluster run that goes wrong says what happened, finds bad input before any work, and leaves
// nothing behind that would refuse the corrected run: bad truth files, a bad bind address, a resume
// of other inputs, a finished run resumed, a worker that cannot start, an interrupted run.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { pino } from 'pino';

import { native } from '../common/native.js';
import { runCluster } from '../coordinator/run.js';
import { WorkerAgent } from '../worker/agent.js';
import { INPUT, MAIN, TRUTH, alive, categoryRows, quietRun, sampleConfig, silent, tempDir } from './cluster-fixture.js';

const ROW_RANGE = '1:48'; // a short run: 2 shards of 24 rows
const few = (out: string, extra: Record<string, unknown> = {}) =>
  sampleConfig(out, { rowRange: ROW_RANGE, shards: { maxRows: 24, minRows: 8 }, workers: [{ launch: 'local', count: 1, engine: 'cpu', threads: 1 }], ...extra });

describe('cluster: bad input is found before any work', { timeout: 120_000 }, () => {
  it('refuses a truth row past the inputs, and a malformed truth, before planning (no journal)', async () => {
    const out = tempDir('cluster-truth');
    const beyond = join(out, 'beyond.tsv');
    writeFileSync(beyond, `${[...categoryRows(TRUTH), 1250].join('\n')}\n`); // the inputs have 1200 rows
    await assert.rejects(runCluster(sampleConfig(out, { truth: beyond }), quietRun), /beyond\.tsv.*1250/s);
    assert.ok(!existsSync(join(out, 'journal.jsonl')), 'nothing planned');
    const malformed = join(out, 'malformed.tsv');
    writeFileSync(malformed, '12\nseven\n');
    await assert.rejects(runCluster(sampleConfig(out, { truth: malformed }), quietRun), /malformed\.tsv.*2/s);
    assert.ok(!existsSync(join(out, 'journal.jsonl')), 'nothing planned');
  });

  it('names the setting and the address it cannot bind, and leaves no journal behind', async () => {
    const out = tempDir('cluster-bind');
    const config = sampleConfig(out, { coordinator: { bind: 'tcp://256.1.1.1:5555', heartbeatMs: 200, timeoutMs: 1500 } });
    await assert.rejects(runCluster(config, quietRun), /coordinator\.bind tcp:\/\/256\.1\.1\.1:5555: cannot bind/);
    assert.ok(!existsSync(join(out, 'journal.jsonl')), 'the corrected run is not refused');
  });
});

describe('cluster: --resume', { timeout: 120_000 }, () => {
  it('leaves a finished run\'s report as it was, and refuses other inputs with the same row count', async () => {
    const out = tempDir('cluster-resume-checks');
    const input = join(out, 'inputs.tsv.gz');
    copyFileSync(INPUT, input);
    const config = few(out, { input });
    const first = await runCluster(config, quietRun);
    assert.equal(first.status, 'PASSED');
    const report = readFileSync(join(out, 'report.json'), 'utf8');
    const again = await runCluster(config, { ...quietRun, resume: true });
    assert.deepEqual(again, JSON.parse(report));
    assert.equal(readFileSync(join(out, 'report.json'), 'utf8'), report, 'report.json unchanged');

    // Other images, as many rows: one nonzero of the first row moves to another column.
    const source = await native().readInputs({ path: INPUT, neurons: 1024, rows: 0 });
    const arrays = source.toArrays(0, source.rows);
    source.close();
    arrays.cols[0] = (arrays.cols[0]! + 1) % 1024;
    const other = native().inputsFromArrays(arrays);
    await native().writeInputs(other, input);
    other.close();
    await assert.rejects(runCluster(config, { ...quietRun, resume: true }), /journal\.jsonl: cannot be resumed .* differs in inputs \(/);
  });
});

describe('cluster: failures say what happened', { timeout: 120_000 }, () => {
  it('a worker that cannot start: its error and its log in the abort reason and the report', async () => {
    native(); // this process's addon is loaded; the workers it starts will not find theirs
    const previous = process.env.SNIG_ADDON;
    process.env.SNIG_ADDON = '/nonexistent/snig.node';
    try {
      const out = tempDir('cluster-nostart');
      const report = await runCluster(few(out), quietRun);
      assert.equal(report.status, 'ABORTED');
      assert.match(report.reason ?? '', /every worker has exited; last failure: local-0-\w+: process ended \(exit code \d\): .*\/nonexistent\/snig\.node.*; log: .*workers\/local-0-\w+\.log/);
      // What the worker said as it left (as a remote worker would), and what its process and log say.
      assert.match(report.failures.map((f) => f.message).join('\n'), /could not start: could not prepare: Cannot find module '\/nonexistent\/snig\.node'/);
      assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /\/nonexistent\/snig\.node/);
    } finally {
      if (previous === undefined) delete process.env.SNIG_ADDON;
      else process.env.SNIG_ADDON = previous;
    }
  });

  it('an interrupted run tells a remote worker to finish instead of leaving it to time out', async () => {
    const out = tempDir('cluster-interrupt');
    const interrupt = new AbortController();
    let agent: Promise<{ code: number; reason: string }> | undefined;
    const report = await runCluster(few(out, { workers: [{ launch: 'manual', count: 1 }], rowRange: '1:240' }), {
      ...quietRun,
      signal: interrupt.signal,
      onStarted: (endpoint) => {
        const worker = new WorkerAgent({ connect: endpoint, name: 'remote', engine: { engine: 'cpu', threads: 1 }, prefetch: 1, retries: 20, retryDelayMs: 1000, maxMessageBytes: 1 << 24, log: silent });
        agent = worker.run();
      },
      onResult: () => interrupt.abort(),
    });
    assert.equal(report.status, 'ABORTED');
    assert.equal(report.reason, 'interrupted');
    assert.deepEqual(await agent, { code: 0, reason: 'run finished' });
  });

  it('refuses a second worker process under a live worker\'s --name; the live one keeps its name and its work', async () => {
    const out = tempDir('cluster-names');
    const agent = (name: string, endpoint: string) =>
      new WorkerAgent({ connect: endpoint, name, engine: { engine: 'cpu', threads: 1 }, prefetch: 1, retries: 5, retryDelayMs: 500, maxMessageBytes: 1 << 24, log: silent }).run();
    let workers: Promise<unknown[]> | undefined;
    let intruder: { code: number | null; stderr: string } | undefined;
    // Two workers are planned: no shard moves until the second (legitimate) one is ready, after the intruder.
    const config = few(out, { workers: [{ launch: 'manual', count: 2 }], coordinator: { heartbeatMs: 200, timeoutMs: 1500, startGraceMs: 60_000 } });
    // The intruder's connection took w1's messages (ROUTER handover) until w1, hearing nothing,
    // connected again: w2 starts once w1 is back (ready a second time), so the run cannot end without it.
    let w1Ready = 0;
    let w1Back!: () => void;
    const back = new Promise<void>((resolve) => (w1Back = resolve));
    const log = pino({ level: 'info' }, {
      write: (line: string) => {
        const entry = JSON.parse(line) as { msg?: string; worker?: string };
        if (entry.msg === 'worker ready' && entry.worker === 'w1' && ++w1Ready === 2) w1Back();
      },
    });
    const report = await runCluster(config, {
      ...quietRun,
      log,
      onStarted: (endpoint) => {
        const first = agent('w1', endpoint);
        const second = new Promise<{ code: number | null; stderr: string }>((resolve) => {
          const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'worker', '--connect', endpoint, '--name', 'w1', '--engine', 'cpu', '--threads', '1', '--retries', '2'], { stdio: ['ignore', 'ignore', 'pipe'] });
          let stderr = '';
          child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
          child.once('exit', (code) => resolve({ code, stderr }));
        }).then(async (exit) => {
          intruder = exit;
          await back;
          return agent('w2', endpoint);
        });
        workers = Promise.all([first, second]);
      },
    });
    assert.equal(intruder?.code, 2, intruder?.stderr);
    assert.match(intruder?.stderr ?? '', /the name w1 is taken by a live worker/);
    assert.equal(report.status, 'PASSED');
    assert.deepEqual(await workers, [{ code: 0, reason: 'run finished' }, { code: 0, reason: 'run finished' }]);
    assert.deepEqual(report.workers.map((w) => w.name).sort(), ['w1', 'w2']);
  });

  it('Ctrl-C on snig run: local workers stop, exit 130, and it says how to continue', async () => {
    const out = tempDir('cluster-sigint');
    const configPath = join(out, 'run.json');
    writeFileSync(configPath, JSON.stringify({ ...sampleConfig(out, { shards: { maxRows: 8, minRows: 8 }, worker: { retries: 20, retryDelayMs: 1000, prefetch: 1 } }), out }));
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'run', configPath, '--no-progress'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const workerPids: number[] = [];
    for await (const line of createInterface({ input: child.stderr })) {
      const entry = JSON.parse(line) as { msg?: string; workers?: Array<{ pid: number }> };
      if (entry.msg === 'local workers started') workerPids.push(...(entry.workers ?? []).map((w) => w.pid));
      if (entry.msg === 'shards done') {
        child.kill('SIGINT');
        break;
      }
    }
    const code = await new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve)));
    assert.equal(code, 130);
    assert.match(stdout, /^ABORTED \(interrupted\)/);
    assert.match(stdout, new RegExp(`to continue this run: snig run ${configPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} --no-progress --resume`));
    assert.ok(workerPids.length > 0);
    assert.deepEqual(workerPids.filter(alive), [], 'no local worker left running');
  });
});
