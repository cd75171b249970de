// A real multi-host run: coordinator and two workers in separate network namespaces joined by veth
// pairs (traffic never leaves them). One worker's link is cut mid-run: its lease (or its connection) lapses, its shards
// are reassigned, and the run PASSES. Needs root and iproute2 (CI runs as root; without them the test
// skips, or fails under CI).
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';

import type { RunReport } from '../coordinator/report.js';
import { MAIN, TRUTH, categoryRows, sampleConfig, tempDir } from './cluster-fixture.js';
import { missingCommands, requireService } from './services.js';

// Namespaces and veth pairs need root (CAP_SYS_ADMIN, CAP_NET_ADMIN); `ip` comes with iproute2.
const skip = requireService(
  'network namespaces',
  [...missingCommands(['ip']), ...(process.getuid?.() === 0 ? [] : ['root'])],
  'run as root with iproute2 installed',
);

const tag = String(process.pid % 100000);
const ns = { coordinator: `snig-c-${tag}`, w1: `snig-w1-${tag}`, w2: `snig-w2-${tag}` };
const PORT = 5601;

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Coordinator namespace joined to each worker namespace by its own veth pair, 10.231.k.0/24. */
function buildNetwork(): void {
  for (const name of Object.values(ns)) {
    ip('netns', 'add', name);
    ip('-n', name, 'link', 'set', 'lo', 'up');
  }
  for (const [k, worker] of [[1, ns.w1], [2, ns.w2]] as const) {
    const [c, w] = [`vc${k}-${tag}`, `vw${k}-${tag}`];
    ip('link', 'add', c, 'type', 'veth', 'peer', 'name', w);
    ip('link', 'set', c, 'netns', ns.coordinator);
    ip('link', 'set', w, 'netns', worker);
    ip('-n', ns.coordinator, 'addr', 'add', `10.231.${k}.1/24`, 'dev', c);
    ip('-n', worker, 'addr', 'add', `10.231.${k}.2/24`, 'dev', w);
    ip('-n', ns.coordinator, 'link', 'set', c, 'up');
    ip('-n', worker, 'link', 'set', w, 'up');
  }
}

function tearDownNetwork(): void {
  for (const name of Object.values(ns)) {
    try {
      ip('netns', 'del', name); // takes its veth ends with it
    } catch {
      // not created
    }
  }
}

function inNamespace(name: string, args: string[]): ChildProcess {
  return spawn('ip', ['netns', 'exec', name, process.execPath, '--import', 'tsx', MAIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

const exited = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', (code) => resolve(code)));

describe('cluster across network namespaces', { timeout: 120_000 }, () => {
  it('a worker whose link is cut mid-run loses its shards to the other; PASSED', { skip }, async () => {
    const out = tempDir('cluster-netns');
    const config = sampleConfig(out, {
      // The run starts with w1 alone (no grace for w2, which starts once w1's link is cut), so w1 holds shards when it is cut.
      coordinator: { bind: `tcp://0.0.0.0:${PORT}`, heartbeatMs: 200, timeoutMs: 1500, startGraceMs: 0 },
      workers: [{ launch: 'manual', host: 'netns', count: 2, engine: 'cpu', threads: 1 }],
    });
    const configPath = join(out, 'run.json');
    writeFileSync(configPath, JSON.stringify(config));
    const children: ChildProcess[] = [];
    // Whatever goes wrong, nothing outlives the test (a stuck read below would otherwise hang it).
    const guard = setTimeout(() => children.forEach((child) => child.kill('SIGKILL')), 90_000);
    try {
      buildNetwork();
      const coordinator = inNamespace(ns.coordinator, ['run', configPath, '--no-progress', '--log-level', 'debug']);
      children.push(coordinator);
      const worker = (name: string, space: string, k: number): ChildProcess =>
        inNamespace(space, ['worker', '--connect', `tcp://10.231.${k}.1:${PORT}`, '--name', name, '--engine', 'cpu', '--threads', '1', '--retries', '1', '--retry-delay-ms', '300', '--log-level', 'warn']);
      let cut = false;
      let w1: ChildProcess | undefined;
      let w2: ChildProcess | undefined;
      for await (const line of createInterface({ input: coordinator.stderr! })) {
        const entry = JSON.parse(line) as { msg?: string; worker?: string };
        if (entry.msg === 'coordinator listening') {
          w1 = worker('w1', ns.w1, 1);
          children.push(w1);
        }
        if (!cut && entry.msg === 'shard done' && entry.worker === 'w1') {
          cut = true;
          ip('-n', ns.w1, 'link', 'set', `vw1-${tag}`, 'down'); // w1 holds its prefetched shard: no other worker took the queue
          w2 = worker('w2', ns.w2, 2);
          children.push(w2);
        }
      }
      assert.ok(cut, 'w1 finished a shard, then its link was cut');
      assert.equal(await exited(coordinator), 0, 'coordinator exit status');
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
      assert.equal(report.status, 'PASSED');
      assert.deepEqual(categoryRows(join(out, 'categories.tsv')), categoryRows(TRUTH));
      const lapsed = report.reassigned.filter((r) => r.from === 'w1');
      // Its heartbeats stop, and so do its connection's ZMTP pongs: whichever lapses first.
      assert.ok(lapsed.length >= 1 && /silent|its connection closed/.test(lapsed[0]!.reason), JSON.stringify(report.reassigned));
      assert.equal(await exited(w2!), 0, 'w2 finished normally');
      assert.equal(await exited(w1!), 3, 'w1 gave up on the coordinator and exited cleanly');
    } finally {
      clearTimeout(guard);
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await Promise.all(children.map(exited));
      tearDownNetwork();
    }
  });
});
