// The cluster on the real 1024×120 sample with CPU workers: correct categories, hostile peers
// dropped, a killed worker's shards reassigned, CURVE refusing (and logging) every peer without a
// listed key, a worker process started before the run taken as its first local worker.
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pack } from 'msgpackr';
import { Dealer } from 'zeromq';

import { startEarlyWorker, takeEarlyRun } from '../cli/early-worker.js';
import { runArgs } from '../cli/commands/run-args.js';
import { newKeyPair, writeKeyPair } from '../common/config/keys.js';
import { DEFAULT_TOLERANCE, generate } from '../common/generate.js';
import { encode } from '../common/protocol/codec.js';
import type { LocalWorker } from '../coordinator/launch/local.js';
import { runCluster } from '../coordinator/run.js';
import { TRUTH, capturingLogger, categoryRows, journalLines, quietRun, sampleConfig, tempDir } from './cluster-fixture.js';
import { generatorParamsSchema } from '../common/config/generator.js';

/** A peer that sends garbage, a message past the size limit and messages out of order. */
async function hostilePeer(endpoint: string): Promise<void> {
  const peer = new Dealer({ routingId: 'hostile', linger: 0 });
  peer.connect(endpoint);
  await peer.send(Buffer.from([0xc1, 0x00, 0xff])); // not msgpack
  await peer.send(pack({ type: 'result', shard: 'zero' })); // wrong shape
  await peer.send([encode({ type: 'heartbeat', held: [], seen: 0 }), Buffer.from('two frames')]);
  await peer.send(encode({ type: 'result', shards: [{ shard: 0, begin: 0, end: 25, categories: [1, 2, 3], seconds: 0, edges: 0 }], request: 1 })); // before hello
  await peer.send(encode({ type: 'request' })); // before hello
  await new Promise((resolve) => setTimeout(resolve, 100));
  peer.close();
  const big = new Dealer({ routingId: 'oversized', linger: 0 });
  big.connect(endpoint);
  await big.send(Buffer.alloc(2 * 1024 * 1024, 0x90)); // past maxMessageBytes: the connection is cut
  await new Promise((resolve) => setTimeout(resolve, 100));
  big.close();
}

describe('cluster on the 1024×120 sample', { timeout: 120_000 }, () => {
  it('3 local workers, shared filesystem, hostile peer alongside: PASSED, categories equal the truth', async () => {
    const out = tempDir('cluster-shared');
    const config = sampleConfig(out, { coordinator: { heartbeatMs: 200, timeoutMs: 1500, maxMessageBytes: 1024 * 1024 } });
    let hostile: Promise<void> | undefined;
    const report = await runCluster(config, { ...quietRun, onStarted: (endpoint) => (hostile = hostilePeer(endpoint)) });
    await hostile;
    assert.equal(report.status, 'PASSED', JSON.stringify(report.verification));
    assert.deepEqual(categoryRows(join(out, 'categories.tsv')), categoryRows(TRUTH));
    assert.equal(report.categories, 19);
    assert.ok(report.droppedMessages >= 4, `${report.droppedMessages} messages dropped`);
    assert.ok(!report.workers.some((w) => w.name === 'hostile' && w.shards > 0));
    assert.equal(report.workers.reduce((n, w) => n + w.rows, 0), 1200, 'every row computed once');
    const done = journalLines(out).filter((l) => l.type === 'done').map((l) => l.shard);
    assert.equal(new Set(done).size, done.length, 'no shard journaled twice');
    assert.equal(done.length, report.shards.planned + report.shards.splits);
  });

  it('3 local workers on a generated set (binary model, 3000 rows): categories equal its truth', async () => {
    const data = tempDir('cluster-generated');
    const made = await generate({ ...generatorParamsSchema.parse({ neurons: 1024, layers: 120, rows: 3000, seed: 7 }), format: 'binary', gzip: false, out: data, threads: 0, tolerance: DEFAULT_TOLERANCE });
    const out = join(data, 'run');
    const config = sampleConfig(out, { model: made.files.modelBinary, input: made.files.inputs, truth: made.files.truth, shards: { minRows: 16 } });
    const report = await runCluster(config, quietRun);
    assert.equal(report.status, 'PASSED', JSON.stringify(report.verification));
    assert.equal(report.rowRange, '1:3000');
    assert.equal(report.rows, 3000);
    assert.deepEqual(categoryRows(join(out, 'categories.tsv')), categoryRows(made.files.truth));
    assert.equal(report.categories, made.categories);
    assert.ok(report.shards.planned >= 3 * 8, `${report.shards.planned} shards planned for 3 workers`);
    // The TSV was converted once into the run's folder; each worker mapped it and read its own rows.
    assert.equal(report.inputBytes.file, statSync(join(out, 'inputs.snigrows')).size);
    const { read, file } = report.inputBytes;
    assert.ok(read >= file * 0.9 && read <= file * 1.5, `the workers read ${read} bytes of a ${file}-byte file`);
    for (const w of report.workers.filter((w) => w.rows < 3000)) assert.ok(w.inputBytes < file, `${w.name} read ${w.inputBytes} bytes`);
    // The total holds its parts, and the shards' split holds the compute.
    const parts = Object.values(report.seconds.parts).reduce((a, b) => a + b, 0);
    assert.ok(parts <= report.seconds.total + 1e-6 && report.seconds.parts.compute! > 0, JSON.stringify(report.seconds));
  });

  it('streamed mode with CURVE: a kill -9 worker\'s shards are reassigned, PASSED', async () => {
    const out = tempDir('cluster-streamed');
    const keys = tempDir('cluster-keys');
    const server = writeKeyPair(keys, 'coordinator', newKeyPair());
    const config = sampleConfig(out, {
      mode: 'streamed',
      coordinator: { heartbeatMs: 200, timeoutMs: 1500, chunkBytes: 1024 * 1024 },
      security: { curve: true, coordinatorKey: server.key, workerKeys: [] },
    });
    let workers: Array<{ name: string; pid: number }> = [];
    const returned = new Set<string>();
    let victim: { name: string; pid: number } | undefined;
    const report = await runCluster(config, {
      ...quietRun,
      onStarted: (_endpoint, started) => (workers = started),
      onResult: (_shard, worker) => returned.add(worker),
      onAssign: (_shard, worker) => {
        if (victim || !returned.has(worker)) return;
        // A worker that has returned a result, killed as it is assigned a shard it has not been sent
        // yet: it certainly holds one (killed at a result, it may have sent every other already).
        victim = workers.find((w) => w.name === worker);
        process.kill(victim!.pid, 'SIGKILL');
      },
    });
    assert.ok(victim, 'a worker returned a result and was killed');
    assert.equal(report.status, 'PASSED', JSON.stringify(report.verification));
    assert.deepEqual(categoryRows(join(out, 'categories.tsv')), categoryRows(TRUTH));
    const fromVictim = report.reassigned.filter((r) => r.from === victim?.name);
    assert.ok(fromVictim.length >= 1, `reassigned: ${JSON.stringify(report.reassigned)}`);
    assert.match(fromVictim[0]!.reason, /SIGKILL|its connection closed/, 'the launcher saw it exit, or the socket saw its connection close: whichever came first');
    const done = journalLines(out).filter((l) => l.type === 'done').map((l) => l.shard);
    assert.equal(new Set(done).size, done.length);
    assert.equal(done.length, report.shards.planned + report.shards.splits);
  });

  it('a worker process started before the run is its first local worker: its settings and CURVE keys come on its stdin, its output goes to its log', async () => {
    const out = tempDir('cluster-early');
    const keys = tempDir('cluster-keys');
    const server = writeKeyPair(keys, 'coordinator', newKeyPair());
    const config = sampleConfig(out, {
      workers: [{ launch: 'local', count: 2, engine: 'cpu', threads: 1 }],
      security: { curve: true, coordinatorKey: server.key, workerKeys: [] },
    });
    const configPath = join(out, 'run.json');
    writeFileSync(configPath, JSON.stringify(config));
    startEarlyWorker(['run', configPath, '--quiet']);
    const { config: read, worker: early } = takeEarlyRun(runArgs.parse({ config: configPath, quiet: true }));
    assert.ok(early, 'a run with local workers starts one early');
    assert.deepEqual(read, config, 'and passes on the config it read');
    let workers: LocalWorker[] = [];
    const report = await runCluster(config, { ...quietRun, logLevel: 'info', earlyWorker: early, onStarted: (_endpoint, started) => (workers = started) });
    assert.equal(report.status, 'PASSED', JSON.stringify(report.verification));
    assert.equal(workers[0]!.pid, early.pid, 'the early process is the first local worker');
    // Under CURVE it could only join with the key pair it was handed.
    assert.ok(report.workers.some((w) => w.name === workers[0]!.name), JSON.stringify(report.workers));
    assert.match(readFileSync(join(out, 'workers', `${workers[0]!.name}.log`), 'utf8'), /"msg":"worker ready"/);
    assert.equal(early.exitCode, 0);
  });

  it('CURVE refuses, and the coordinator logs, an unlisted key, a plaintext client and a wrong server key', async () => {
    const out = tempDir('cluster-curve');
    const keys = tempDir('cluster-keys');
    const serverPair = newKeyPair();
    const server = writeKeyPair(keys, 'coordinator', serverPair);
    const unlisted = newKeyPair();
    const config = sampleConfig(out, {
      workers: [{ launch: 'local', count: 1, engine: 'cpu', threads: 1 }],
      security: { curve: true, coordinatorKey: server.key, workerKeys: [] },
    });
    const { log, entries } = capturingLogger();
    const intruders: Dealer[] = [];
    const refused = (msg: string): Array<Record<string, unknown>> => entries.filter((entry) => entry.msg === msg);
    const report = await runCluster(config, {
      ...quietRun,
      log,
      onStarted: (endpoint) => {
        const other = newKeyPair();
        const curve = [
          { curveServerKey: serverPair.public, curvePublicKey: unlisted.public, curveSecretKey: unlisted.secret },
          {}, // plaintext
          { curveServerKey: other.public, curvePublicKey: other.public, curveSecretKey: other.secret }, // encrypts to another server
        ];
        for (const [k, options] of curve.entries()) {
          const intruder = new Dealer({ routingId: `intruder-${k}`, linger: 0, ...options });
          intruder.connect(endpoint);
          void intruder.send(encode({ type: 'heartbeat', held: [], seen: 0 })).catch(() => undefined);
          intruders.push(intruder);
        }
      },
    });
    // The run itself ends well after the intruders' handshakes, which take milliseconds on loopback.
    intruders.forEach((intruder) => intruder.close());
    assert.equal(report.status, 'PASSED', JSON.stringify(report.verification));
    assert.deepEqual(refused('ZAP: refused a peer whose key is not listed').map((e) => e.key), [unlisted.public]);
    const handshakes = refused('CURVE handshake refused a peer').map((e) => e.code).sort();
    assert.deepEqual(handshakes, ['ERR_ZMTP_CRYPTOGRAPHIC', 'ERR_ZMTP_MECHANISM_MISMATCH'], JSON.stringify(entries.filter((e) => e.level === 40)));
    assert.equal(report.droppedMessages, 0, 'no intruder message reached the coordinator');
    assert.deepEqual(report.workers.map((w) => w.name).filter((name) => name.startsWith('intruder')), []);
  });
});
