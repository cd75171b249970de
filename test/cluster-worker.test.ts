// The worker agent against a scripted coordinator: garbage and out-of-order messages are dropped,
// the real work still comes back right, and finish / reject / silence end it cleanly; files opened
// before the welcome serve only a welcome that names them.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pack } from 'msgpackr';
import { Router } from 'zeromq';

import { native } from '../common/native.js';
import { decodeWorkerMessage, encode } from '../common/protocol/codec.js';
import type { CoordinatorMessage, Welcome, WorkerMessage } from '../common/protocol/messages.js';
import { startPreload, WorkerAgent } from '../worker/agent.js';
import { Workload } from '../worker/workload.js';
import { INPUT, MODEL, TRUTH, categoryRows, silent, tempDir } from './cluster-fixture.js';

async function coordinatorStub(): Promise<{ router: Router; next: () => Promise<WorkerMessage>; send: (m: CoordinatorMessage | Buffer) => Promise<void> }> {
  const router = new Router({ linger: 0 });
  await router.bind('tcp://127.0.0.1:*');
  const next = async (): Promise<WorkerMessage> => {
    for (;;) {
      const [, payload] = await router.receive();
      const decoded = decodeWorkerMessage(payload!);
      assert.ok(decoded.ok, decoded.ok ? '' : decoded.error);
      if (decoded.message.type !== 'heartbeat') return decoded.message;
    }
  };
  const send = (m: CoordinatorMessage | Buffer): Promise<void> => router.send(['w', Buffer.isBuffer(m) ? m : encode(m)]);
  return { router, next, send };
}

/** A shared-mode welcome naming the official 1024×120 model (TSV: a load of a second or more) and inputs, on one CPU thread. */
async function officialWelcome(): Promise<Welcome> {
  const model = await native().loadModel({ path: MODEL, layers: 120, threads: 0 });
  const checksum = model.checksum;
  model.close();
  return {
    type: 'welcome', name: 'w', mode: 'shared',
    model: { path: MODEL, layers: 120, checksum, bytes: 0, chunks: 0 },
    inputs: { path: INPUT, rows: 1200, neurons: 1024 },
    engine: { engine: 'cpu', threads: 1, kernel: 'auto', weights: 'auto', inputMemory: 'pinned' },
    heartbeatMs: 100, timeoutMs: 5000,
  };
}

function agent(connect: string): WorkerAgent {
  return new WorkerAgent({ connect, name: 'w', engine: {}, prefetch: 2, retries: 2, retryDelayMs: 200, maxMessageBytes: 1 << 20, log: silent });
}

describe('worker agent', { timeout: 60_000 }, () => {
  it('drops garbage, computes what it is assigned, and exits 0 on finish', async () => {
    const welcome = await officialWelcome();
    const { checksum } = welcome.model;
    const { router, next, send } = await coordinatorStub();
    const worker = agent(router.lastEndpoint!);
    const exit = worker.run();
    assert.equal((await next()).type, 'hello');
    await send(Buffer.from([0xc1, 0xc1])); // not msgpack
    await send(pack({ type: 'welcome', name: 7 })); // wrong shape
    await send({ type: 'assign', mark: 1, shards: [{ shard: 0, begin: 0, end: 25 }] }); // before welcome
    await send({ type: 'chunk', index: 0, data: Buffer.from([1]) }); // never asked for
    await send(welcome);
    const ready = await next();
    assert.equal(ready.type, 'ready');
    assert.equal(ready.type === 'ready' && ready.engine, 'cpu', 'the engine named in welcome');
    assert.equal(ready.type === 'ready' && ready.checksum, checksum);
    const request = await next();
    assert.deepEqual(request, { type: 'request', count: 2 }, 'the prefetch is asked for in one message');
    await send({ type: 'assign', mark: 1, shards: [{ shard: 4, begin: 400, end: 800 }] });
    const result = await next();
    assert.equal(result.type, 'result');
    if (result.type !== 'result') return;
    assert.equal(result.request, 1, 'the result asks for the next shard');
    const [finished] = result.shards;
    assert.deepEqual([result.shards.length, finished?.shard, finished?.begin, finished?.end], [1, 4, 400, 800]);
    assert.deepEqual(finished?.categories, categoryRows(TRUTH).filter((row) => row > 400 && row <= 800));
    assert.equal(finished?.edges, 400 * 3932160);
    await send({ type: 'finish' });
    assert.deepEqual(await exit, { code: 0, reason: 'run finished' });
    router.close();
  });

  it('opens the files its run names before the welcome, and loads what a welcome naming others names', async () => {
    // Two binary 1024x120 models: the official network (preloaded) and a generated one.
    const dir = tempDir('worker-preload');
    const paths = { official: join(dir, 'official.snig'), other: join(dir, 'other.snig'), inputs: join(dir, 'inputs.snigrows') };
    const checksums: number[] = [];
    const models = [await native().loadModel({ path: MODEL, layers: 120, threads: 0 }), await native().generateModel({ neurons: 1024, layers: 120, bias: -0.3, seed: 3, threads: 0 })];
    for (const [k, path] of [paths.official, paths.other].entries()) {
      await native().writeModelBinary(models[k]!, path);
      checksums.push(models[k]!.checksum);
      models[k]!.close();
    }
    assert.notEqual(checksums[0], checksums[1]);
    const inputs = await native().readInputs({ path: INPUT, neurons: 1024, rows: 0 });
    await native().writeInputs(inputs, paths.inputs);
    inputs.close();
    const engine = { engine: 'cpu' as const, threads: 1, kernel: 'auto' as const, weights: 'auto' as const, inputMemory: 'pinned' as const };
    const welcome = (path: string, checksum: number): CoordinatorMessage => ({
      type: 'welcome', name: 'w', mode: 'shared', model: { path, layers: 120, checksum, bytes: 0, chunks: 0 },
      inputs: { path: paths.inputs, rows: 1200, neurons: 1024 }, engine, heartbeatMs: 100, timeoutMs: 5000,
    });
    for (const [path, checksum] of [[paths.official, checksums[0]!], [paths.other, checksums[1]!]] as const) {
      const { router, next, send } = await coordinatorStub();
      const worker = new WorkerAgent({
        connect: router.lastEndpoint!, name: 'w', engine: {}, prefetch: 1, retries: 2, retryDelayMs: 200, maxMessageBytes: 1 << 20, log: silent,
        preload: startPreload({ model: paths.official, inputs: paths.inputs, engine }, {}),
      });
      const exit = worker.run();
      assert.equal((await next()).type, 'hello');
      await send(welcome(path, checksum));
      const ready = await next();
      assert.equal(ready.type === 'ready' && ready.checksum, checksum, `the model the welcome names (${path})`);
      assert.equal((await next()).type, 'request');
      await send({ type: 'assign', mark: 1, shards: [{ shard: 0, begin: 0, end: 1200 }] });
      const result = await next();
      const rows = result.type === 'result' ? result.shards[0]!.categories : [];
      if (path === paths.official) assert.deepEqual(rows, categoryRows(TRUTH), 'the official categories');
      assert.equal(result.type === 'result' && result.shards[0]!.edges, 1200 * 3932160, 'every row through 120 layers');
      await send({ type: 'finish' });
      assert.deepEqual(await exit, { code: 0, reason: 'run finished' });
      router.close();
    }
  });

  it('exits 2 when rejected, and 3 when the coordinator stays silent', async () => {
    const { router, next, send } = await coordinatorStub();
    const rejected = agent(router.lastEndpoint!);
    const exit = rejected.run();
    assert.equal((await next()).type, 'hello');
    await send({ type: 'reject', reason: 'model checksum 1 differs' });
    assert.equal((await exit).code, 2);
    router.close();

    const silentOne = agent('tcp://127.0.0.1:9'); // nothing listens there
    const gaveUp = await silentOne.run();
    assert.equal(gaveUp.code, 3);
    assert.match(gaveUp.reason, /after 2 retries/);
  });

  it('stopped while it loads its model, it closes the workload once the load ends, before it returns', async (t) => {
    const welcome = await officialWelcome();
    const original = Workload.open.bind(Workload);
    let loading!: () => void;
    const opened = new Promise<void>((resolve) => (loading = resolve));
    t.mock.method(Workload, 'open', (...args: Parameters<typeof Workload.open>) => {
      loading();
      return original(...args);
    });
    const close = t.mock.method(Workload.prototype, 'close');
    const { router, next, send } = await coordinatorStub();
    const worker = agent(router.lastEndpoint!);
    const exit = worker.run();
    assert.equal((await next()).type, 'hello');
    await send(welcome);
    await opened;
    worker.stop('test: stopped while loading');
    assert.deepEqual(await exit, { code: 0, reason: 'test: stopped while loading' });
    assert.equal(close.mock.callCount(), 1, 'the workload opened after the stop is closed');
    router.close();
  });

  // Gone: `snig run` ended (a local worker), or the coordinator's process ended (its connection
  // closes: a worker started by hand or by srun), past the welcome's timeout of 1 s.
  const ends = {
    'snig run ended': { end: (worker: WorkerAgent) => worker.coordinatorGone('test: snig run has ended'), reason: /^test: snig run has ended$/ },
    'its connection closed': { end: (_worker: WorkerAgent, router: Router) => router.close(), reason: /^the coordinator at tcp:\/\/127\.0\.0\.1:\d+ is gone: its connection closed \d+ ms ago and did not come back$/ },
  };
  for (const [how, { end, reason }] of Object.entries(ends)) {
    it(`its coordinator gone mid-shard (${how}), it cancels the shard and exits 4`, async (t) => {
      const welcome = { ...(await officialWelcome()), timeoutMs: 1000 };
      // A shard that never ends on its own: only the cancel of its engine call ends it.
      let started!: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      const run = t.mock.method(Workload.prototype, 'run', (_begin: number, _end: number, _rows: unknown, signal?: AbortSignal) => {
        started();
        return new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(new Error('cancelled'))));
      });
      const { router, next, send } = await coordinatorStub();
      const worker = agent(router.lastEndpoint!);
      const exit = worker.run();
      assert.equal((await next()).type, 'hello');
      await send(welcome);
      assert.equal((await next()).type, 'ready');
      await send({ type: 'assign', mark: 1, shards: [{ shard: 0, begin: 0, end: 1200 }] });
      await running;
      end(worker, router);
      let timer: NodeJS.Timeout | undefined;
      const hung = new Promise((resolve) => (timer = setTimeout(() => resolve('still waiting for its shard'), 5000)));
      const ended = (await Promise.race([exit, hung])) as { code: number; reason: string };
      clearTimeout(timer);
      assert.equal(ended.code, 4, ended.reason);
      assert.match(ended.reason, reason);
      assert.equal(run.mock.calls[0]!.arguments[3]?.aborted, true, 'the engine call was cancelled');
      router.close();
    });
  }
});
