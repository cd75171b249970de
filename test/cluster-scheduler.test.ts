// The scheduling core without sockets: events in, decisions out.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { WorkerMessage } from '../common/protocol/messages.js';
import { Scheduler, type Decision } from '../coordinator/scheduler.js';
import { planShards } from '../coordinator/shard-plan.js';

const CHECKSUM = 1234;

function scheduler(rows = 100, done?: Set<number>): Scheduler {
  const shards = planShards({ begin: 0, end: rows, workers: 2, minRows: 10, maxRows: 10 });
  return new Scheduler({ shards, done, checksum: CHECKSUM, timeoutMs: 1000, lostAssignmentMs: 300, shardTimeoutMs: 5000, maxShardAttempts: 3, chunks: 0 });
}

const hello: WorkerMessage = { type: 'hello', protocol: 1, host: 'h', pid: 1, engine: 'cpu', gpus: [], threads: 1 };
const ready: WorkerMessage = { type: 'ready', checksum: CHECKSUM, engine: 'cpu', gpuNames: [], loadSeconds: 0 };

function send(s: Scheduler, worker: string, message: WorkerMessage, at = 0): Decision[] {
  return s.handle({ kind: 'message', worker, at, message });
}

function join(s: Scheduler, worker: string, at = 0): void {
  send(s, worker, hello, at);
  send(s, worker, ready, at);
}

function assigned(decisions: Decision[]): Array<{ worker: string; id: number; begin: number; end: number }> {
  return decisions.flatMap((d) => (d.kind === 'assign' ? [{ worker: d.worker, id: d.shard.id, begin: d.shard.begin, end: d.shard.end }] : []));
}

function result(id: number, begin: number, end: number, categories: number[] = []): WorkerMessage {
  return { type: 'result', shard: id, begin, end, categories, seconds: 0.1, edges: (end - begin) * 10 };
}

describe('shard plan', () => {
  it('covers the rows exactly once, many shards per worker, smaller near the end', () => {
    const shards = planShards({ begin: 5, end: 60005, workers: 4, minRows: 16 });
    assert.equal(shards[0]!.begin, 5);
    assert.equal(shards.at(-1)!.end, 60005);
    for (let i = 1; i < shards.length; i++) assert.equal(shards[i]!.begin, shards[i - 1]!.end);
    assert.ok(shards.length >= 8 * 4, `${shards.length} shards`);
    const sizes = shards.map((s) => s.end - s.begin);
    for (let i = 1; i < sizes.length; i++) assert.ok(sizes[i]! <= sizes[i - 1]!, 'sizes never grow');
    assert.ok(sizes.at(-2)! < sizes[0]!, 'the last shards are smaller than the first');
  });

  it('never exceeds a hard row limit (streamed shards must fit in a message), even below minRows', () => {
    const shards = planShards({ begin: 0, end: 1000, workers: 1, minRows: 64, maxRows: 500, limitRows: 40 });
    assert.ok(shards.every((s) => s.end - s.begin <= 40));
    assert.equal(shards.at(-1)!.end, 1000);
  });
});

describe('scheduler', () => {
  it('hands out every shard once and completes when all results are in', () => {
    const s = scheduler();
    join(s, 'a');
    join(s, 'b');
    const seen = new Set<number>();
    let complete = false;
    for (let round = 0; round < 20 && !complete; round++) {
      for (const w of ['a', 'b']) {
        const [a] = assigned(send(s, w, { type: 'request' }));
        if (!a) continue;
        assert.ok(!seen.has(a.id), `shard ${a.id} assigned twice`);
        seen.add(a.id);
        const out = send(s, w, result(a.id, a.begin, a.end, [a.begin + 1]));
        assert.equal(out[0]?.kind, 'record');
        complete ||= out.some((d) => d.kind === 'complete');
      }
    }
    assert.ok(complete);
    assert.equal(seen.size, 10);
    assert.deepEqual(send(s, 'a', { type: 'request' }).map((d) => d.kind), ['finish']);
  });

  it('parks a request while shards are leased elsewhere, and serves it on requeue', () => {
    const s = scheduler(20);
    join(s, 'a');
    join(s, 'b');
    const [a1] = assigned(send(s, 'a', { type: 'request' }));
    const [a2] = assigned(send(s, 'a', { type: 'request' }));
    assert.ok(a1 && a2);
    assert.deepEqual(send(s, 'b', { type: 'request' }), []); // parked
    send(s, 'b', { type: 'heartbeat', held: [] }, 1500);
    const out = s.handle({ kind: 'tick', at: 1500 }); // a silent for 1500 ms > 1000
    assert.deepEqual(out.map((d) => d.kind), ['worker-lost', 'requeue', 'assign', 'requeue']);
    assert.equal(assigned(out)[0]?.worker, 'b');
    assert.equal(s.workerState('a'), 'lost');
  });

  it('requeues an assignment the worker\'s heartbeats do not name once it is overdue', () => {
    const s = scheduler(20);
    join(s, 'a');
    const [x] = assigned(send(s, 'a', { type: 'request' }, 100));
    assert.ok(x);
    assert.deepEqual(send(s, 'a', { type: 'heartbeat', held: [] }, 200), []); // may still be on its way
    assert.deepEqual(send(s, 'a', { type: 'heartbeat', held: [x.id] }, 1000), []); // it has it
    const [y] = assigned(send(s, 'a', { type: 'request' }, 1000));
    assert.ok(y);
    const out = send(s, 'a', { type: 'heartbeat', held: [x.id] }, 1500); // y was lost on the way
    assert.deepEqual(out.map((d) => d.kind), ['requeue', 'assign']);
    assert.equal(assigned(out)[0]?.id, y.id);
    assert.equal(s.shardState(y.id), 'leased');
  });

  it('takes a shard back from a worker that heartbeats but never finishes it (hung engine)', () => {
    const s = scheduler(20);
    join(s, 'a');
    join(s, 'b');
    const [x] = assigned(send(s, 'a', { type: 'request' }, 0));
    assert.ok(x);
    const [y] = assigned(send(s, 'b', { type: 'request' }, 0));
    assert.ok(y);
    assert.equal(send(s, 'b', result(y.id, y.begin, y.end), 10)[0]?.kind, 'record');
    send(s, 'b', { type: 'request' }, 10); // parked: nothing left in the queue
    for (let t = 1000; t <= 5000; t += 1000) {
      assert.deepEqual(send(s, 'a', { type: 'heartbeat', held: [x.id] }, t), []);
      send(s, 'b', { type: 'heartbeat', held: [] }, t);
      s.handle({ kind: 'tick', at: t });
    }
    const out = s.handle({ kind: 'tick', at: 5001 });
    assert.deepEqual(out.map((d) => d.kind), ['requeue', 'assign']);
    assert.deepEqual(assigned(out)[0], { ...x, worker: 'b' });
    assert.equal(send(s, 'a', result(x.id, x.begin, x.end))[0]?.kind, 'drop'); // too late
  });

  it('ignores a duplicate result, a result for another worker\'s shard, and results outside the shard', () => {
    const s = scheduler();
    join(s, 'a');
    join(s, 'b');
    const [a] = assigned(send(s, 'a', { type: 'request' }));
    assert.ok(a);
    assert.equal(send(s, 'b', result(a.id, a.begin, a.end))[0]?.kind, 'drop');
    assert.equal(send(s, 'a', result(a.id, a.begin, a.end, [a.end + 1]))[0]?.kind, 'drop');
    assert.equal(send(s, 'a', result(a.id, a.begin, a.end + 1))[0]?.kind, 'drop');
    assert.equal(send(s, 'a', result(a.id, a.begin, a.end))[0]?.kind, 'record');
    assert.equal(send(s, 'a', result(a.id, a.begin, a.end))[0]?.kind, 'drop');
    assert.equal(s.shardState(a.id), 'done');
  });

  it('drops out-of-order messages and asks unknown peers to say hello', () => {
    const s = scheduler();
    assert.deepEqual(send(s, 'x', { type: 'request' }).map((d) => d.kind), ['drop', 'reset']);
    send(s, 'x', hello);
    assert.deepEqual(send(s, 'x', { type: 'request' }).map((d) => d.kind), ['drop']); // not ready yet
    assert.deepEqual(send(s, 'x', { type: 'chunk-request', index: 0 }).map((d) => d.kind), ['drop']); // shared mode
  });

  it('rejects a worker whose model checksum differs, and gives it nothing', () => {
    const s = scheduler();
    send(s, 'w', hello);
    const out = send(s, 'w', { ...ready, checksum: 99 } as WorkerMessage);
    assert.equal(out[0]?.kind, 'reject');
    assert.deepEqual(send(s, 'w', { type: 'request' }).map((d) => d.kind), ['drop']);
    assert.equal(s.workerState('w'), 'rejected');
  });

  it('requeues a failed shard and aborts after too many failures', () => {
    const s = scheduler(10);
    join(s, 'a');
    let aborted = false;
    for (let i = 0; i < 3; i++) {
      const [a] = assigned(send(s, 'a', { type: 'request' }));
      assert.equal(a?.id, 0);
      const out = send(s, 'a', { type: 'failure', shard: 0, message: 'boom' });
      aborted = out.some((d) => d.kind === 'abort');
    }
    assert.ok(aborted);
  });

  it('a worker that says hello again loses what it held; resumed shards are never handed out', () => {
    const s = scheduler(30, new Set([0, 2]));
    join(s, 'a');
    const [a] = assigned(send(s, 'a', { type: 'request' }));
    assert.equal(a?.id, 1);
    const out = send(s, 'a', hello);
    assert.deepEqual(out.map((d) => d.kind), ['requeue', 'welcome']);
    send(s, 'a', ready);
    const [again] = assigned(send(s, 'a', { type: 'request' }));
    assert.equal(again?.id, 1);
    const done = send(s, 'a', result(1, 10, 20));
    assert.ok(done.some((d) => d.kind === 'complete'));
  });
});
