// The scheduling core without sockets: events in, decisions out.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { PROTOCOL_VERSION, type FinishedShard, type WorkerMessage } from '../common/protocol/messages.js';
import { Scheduler, type Decision } from '../coordinator/scheduler.js';
import { planShards, type Shard } from '../coordinator/shard-plan.js';
import { shardRows, type SizingPolicy } from '../coordinator/shard-size.js';

const CHECKSUM = 1234;

function scheduler(rows = 100, done?: Set<number>, expectedWorkers?: number, startGraceMs?: number, shardTimeoutMs: number | null = 5000): Scheduler {
  const shards = planShards({ begin: 0, end: rows, workers: 2, minRows: 10, maxRows: 10 });
  return new Scheduler({ shards, done, checksum: CHECKSUM, timeoutMs: 1000, shardTimeoutMs: shardTimeoutMs ?? undefined, maxShardAttempts: 3, maxWorkerFailures: 3, chunks: 0, expectedWorkers, startGraceMs });
}

const hello: WorkerMessage = { type: 'hello', protocol: PROTOCOL_VERSION, host: 'h', pid: 1 };
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

function finished(id: number, begin: number, end: number, categories: number[] = []): FinishedShard {
  return { shard: id, begin, end, categories, seconds: 0.1, edges: (end - begin) * 10 };
}

/** One shard's result, asking for `request` more shards with it. */
function result(id: number, begin: number, end: number, categories: number[] = [], request = 0): WorkerMessage {
  return { type: 'result', shards: [finished(id, begin, end, categories)], request };
}

describe('shard plan', () => {
  it('covers the rows exactly once in equal shards, 8 per expected worker by default', () => {
    const shards = planShards({ begin: 5, end: 60005, workers: 4, minRows: 16 });
    assert.equal(shards[0]!.begin, 5);
    assert.equal(shards.at(-1)!.end, 60005);
    for (let i = 1; i < shards.length; i++) assert.equal(shards[i]!.begin, shards[i - 1]!.end);
    assert.deepEqual([...new Set(shards.map((s) => s.end - s.begin))], [1875], '60000 / (8 × 4)');
    assert.deepEqual(planShards({ begin: 0, end: 25, workers: 1, minRows: 4, maxRows: 10 }).map((s) => s.end - s.begin), [10, 10, 5]);
    assert.deepEqual(planShards({ begin: 0, end: 20, workers: 8, minRows: 4 }).map((s) => s.end - s.begin), [4, 4, 4, 4, 4], 'at least minRows');
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

  it('tells a worker saying hello after the last result to finish, not to load the model', () => {
    const s = scheduler(10); // one shard
    join(s, 'a');
    const [x] = assigned(send(s, 'a', { type: 'request' }));
    assert.ok(x);
    assert.deepEqual(send(s, 'a', result(x.id, x.begin, x.end)).map((d) => d.kind), ['record', 'finish', 'complete']);
    assert.deepEqual(send(s, 'b', hello), [{ kind: 'finish', worker: 'b' }], 'a latecomer');
    assert.deepEqual(send(s, 'a', hello), [{ kind: 'finish', worker: 'a' }], 'a worker that lost the coordinator just then');
  });

  it('a worker whose connection closes after the last result left as told (finish): it is not lost', () => {
    const s = scheduler(10); // one shard
    join(s, 'a');
    join(s, 'b');
    const [x] = assigned(send(s, 'a', { type: 'request' }));
    assert.ok(x);
    assert.deepEqual(s.handle({ kind: 'disconnected', worker: 'b', at: 5 }).map((d) => d.kind), ['worker-lost'], 'before the end: lost');
    assert.deepEqual(send(s, 'a', result(x.id, x.begin, x.end)).map((d) => d.kind), ['record', 'finish', 'complete']);
    assert.deepEqual(s.handle({ kind: 'disconnected', worker: 'a', at: 10 }), []);
    assert.equal(s.liveCount, 0, 'gone');
  });

  it('parks a request while shards are leased elsewhere, and serves it on requeue', () => {
    const s = scheduler(20);
    join(s, 'a');
    const [a1] = assigned(send(s, 'a', { type: 'request' }));
    const [a2] = assigned(send(s, 'a', { type: 'request' })); // a prefetch: nobody else is expected
    assert.ok(a1 && a2);
    join(s, 'b');
    assert.deepEqual(send(s, 'b', { type: 'request' }), []); // parked
    send(s, 'b', { type: 'heartbeat', held: [], seen: 0 }, 1500);
    const out = s.handle({ kind: 'tick', at: 1500 }); // a silent for 1500 ms > 1000
    assert.deepEqual(out.map((d) => d.kind), ['worker-lost', 'requeue', 'assign', 'requeue']);
    assert.equal(assigned(out)[0]?.worker, 'b');
    assert.equal(s.workerState('a'), 'lost');
  });

  it('requeues an assignment a heartbeat does not name once the worker has seen a later mark, however late', () => {
    const s = scheduler(20);
    join(s, 'a');
    const [x] = assigned(send(s, 'a', { type: 'request' }, 100));
    assert.ok(x);
    const xMark = s.mark; // the assignment of x carries the mark of the event that leased it
    // Seconds behind its messages (past any fixed allowance), the worker has not read x yet: on its way, not lost.
    assert.deepEqual(send(s, 'a', { type: 'heartbeat', held: [], seen: xMark - 1 }, 4000), []);
    assert.deepEqual(send(s, 'a', { type: 'heartbeat', held: [], seen: xMark }, 4100), [], 'a message of x\'s event was the last one read (streamed mode sends one per shard)');
    assert.deepEqual(send(s, 'a', { type: 'heartbeat', held: [x.id], seen: xMark }, 4200), []); // it has it
    const [y] = assigned(send(s, 'a', { type: 'request' }, 4200));
    assert.ok(y);
    const yMark = s.mark;
    assert.ok(yMark > xMark);
    s.handle({ kind: 'tick', at: 4300 }); // the coordinator's heartbeat after it carries this mark
    const out = send(s, 'a', { type: 'heartbeat', held: [x.id], seen: s.mark }, 4400); // y never reached a
    assert.deepEqual(out.map((d) => d.kind), ['requeue', 'assign']);
    assert.equal(assigned(out)[0]?.id, y.id);
    assert.equal(s.shardState(y.id), 'leased');
    assert.equal(s.shardState(x.id), 'leased', 'x, which a holds, stays');
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
      assert.deepEqual(send(s, 'a', { type: 'heartbeat', held: [x.id], seen: 0 }, t), []);
      send(s, 'b', { type: 'heartbeat', held: [], seen: 0 }, t);
      s.handle({ kind: 'tick', at: t });
    }
    const out = s.handle({ kind: 'tick', at: 5001 });
    assert.deepEqual(out.map((d) => d.kind), ['requeue', 'assign']);
    assert.deepEqual(assigned(out)[0], { ...x, worker: 'b' });
    assert.equal(send(s, 'a', result(x.id, x.begin, x.end))[0]?.kind, 'drop'); // too late
  });

  it('ignores a duplicate result, a result for another worker\'s shard, and a result for other rows', () => {
    const s = scheduler();
    join(s, 'a');
    join(s, 'b');
    const [a] = assigned(send(s, 'a', { type: 'request' }));
    assert.ok(a);
    assert.equal(send(s, 'b', result(a.id, a.begin, a.end))[0]?.kind, 'drop');
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

describe('scheduler: first shards before prefetches', () => {
  const twice = (s: Scheduler, w: string) => assigned([...send(s, w, { type: 'request' }), ...send(s, w, { type: 'request' })]);

  it('4 shards, 4 expected workers each asking for 2: every worker gets exactly one', () => {
    const s = scheduler(40, undefined, 4);
    join(s, 'a');
    const first = twice(s, 'a');
    assert.equal(first.length, 1, 'the first worker ready does not take the others\' shards');
    const all = [...first];
    for (const w of ['b', 'c', 'd']) {
      join(s, w);
      const got = twice(s, w);
      assert.deepEqual(got.map((g) => g.worker), [w]);
      all.push(...got);
    }
    assert.deepEqual(all.map((g) => g.id).sort(), [0, 1, 2, 3]);
    for (let id = 0; id < 4; id++) assert.equal(s.shardState(id), 'leased');
  });

  it('prefetches while the queue holds more shards than workers still waiting for their first', () => {
    const s = scheduler(80, undefined, 2);
    join(s, 'a');
    const got = twice(s, 'a'); // 7 queued after the first > 1 worker still to come
    assert.deepEqual(got.map((g) => g.id), [0, 1]);
    join(s, 'b');
    assert.equal(twice(s, 'b').length, 2); // 6 queued, nobody left waiting
  });

  it('a first shard goes before another worker\'s parked prefetch', () => {
    const s = scheduler(20, undefined, 2);
    join(s, 'a');
    join(s, 'b');
    assert.equal(twice(s, 'a').length, 1); // 1 queued, b still waiting: a's second request parks
    assert.deepEqual(twice(s, 'b').map((g) => g.worker), ['b']);
    assert.equal(s.shardState(1), 'leased');
  });

  it('serves a parked prefetch after each result, and completes with fewer workers than expected', () => {
    const s = scheduler(30, undefined, 3); // 3 shards, but only a ever comes
    join(s, 'a');
    const [x, parked] = twice(s, 'a');
    assert.ok(x);
    assert.equal(parked, undefined, '2 queued ≤ 2 workers still expected: the prefetch waits');
    const seen = [x.id];
    let current = x;
    for (;;) {
      const out = send(s, 'a', result(current.id, current.begin, current.end));
      assert.equal(out[0]?.kind, 'record');
      if (out.some((d) => d.kind === 'complete')) break;
      const [next] = assigned(out); // a holds nothing now: its parked request is served
      assert.ok(next, `a shard after the result for ${current.id}`);
      assert.equal(next.worker, 'a');
      seen.push(next.id);
      current = next;
      assert.deepEqual(assigned(send(s, 'a', { type: 'request' })), []); // the one-per-result request parks
    }
    assert.deepEqual(seen, [0, 1, 2]);
    assert.ok(s.complete);
  });

  it('serves a parked prefetch when the queue grows through a requeue', () => {
    const s = scheduler(30, undefined, 2); // 3 shards, 3 workers (one more than planned)
    for (const w of ['a', 'b', 'c']) join(s, w);
    assert.equal(twice(s, 'a').length, 1); // 2 queued, b and c waiting: a's prefetch parks
    assert.equal(twice(s, 'b').length, 1); // 1 queued, c waiting: b's prefetch parks
    const [c] = assigned(send(s, 'c', { type: 'request' }));
    assert.ok(c);
    const out = send(s, 'c', { type: 'bye', reason: 'leaving' });
    assert.deepEqual(out.map((d) => d.kind), ['requeue', 'assign']);
    assert.deepEqual(assigned(out)[0], { ...c, worker: 'a' }); // nobody waits for a first shard any more
  });
});

describe('scheduler: many peers, batched requests', () => {
  it('a request for several shards is served at once, first shards of others still kept', () => {
    const s = scheduler(100, undefined, 2); // 10 shards, 2 workers planned
    join(s, 'a');
    const got = assigned(send(s, 'a', { type: 'request', count: 4 }));
    assert.deepEqual(got.map((g) => g.id), [0, 1, 2, 3], '4 of 10: 6 left for b, still expected');
    join(s, 'b');
    assert.deepEqual(assigned(send(s, 'b', { type: 'request', count: 20 })).map((g) => g.id), [4, 5, 6, 7, 8, 9]);
  });

  it('peers that never get ready take no prefetch share and are not live workers of the run', () => {
    const s = scheduler(30); // 3 shards, one worker planned
    for (let i = 0; i < 1000; i++) send(s, `idle-${i}`, hello);
    join(s, 'a');
    assert.equal(assigned(send(s, 'a', { type: 'request', count: 3 })).length, 3, 'the idle peers hold back nothing');
    assert.equal(s.liveCount, 1001, 'they are connected but never counted as ready');
  });

  it('a peer not ready yet is never lost to silence (it loads, sending nothing), only when its connection closes', () => {
    const s = scheduler(30);
    send(s, 'loading', hello, 0);
    assert.deepEqual(s.handle({ kind: 'tick', at: 3_600_000 }), [], 'an hour of silence');
    assert.equal(s.workerState('loading'), 'joining');
    assert.deepEqual([...s.readyWorkers()], [], 'and it is not heartbeated');
    const out = s.handle({ kind: 'disconnected', worker: 'loading', at: 3_600_001 });
    assert.deepEqual(out, [{ kind: 'worker-lost', worker: 'loading', reason: 'its connection closed' }]);
    assert.equal(s.liveCount, 0);
    assert.deepEqual(s.handle({ kind: 'disconnected', worker: 'never-said-hello', at: 3_600_002 }), []);
  });

  it('a working worker whose connection closes is lost at once, and its shards go to another', () => {
    const s = scheduler(10); // one shard
    join(s, 'a');
    const [x] = assigned(send(s, 'a', { type: 'request' }));
    join(s, 'b');
    assert.deepEqual(send(s, 'b', { type: 'request' }), [], 'parked');
    assert.ok(x);
    const out = s.handle({ kind: 'disconnected', worker: 'a', at: 10 }); // long before the timeout
    assert.deepEqual(out.map((d) => d.kind), ['worker-lost', 'requeue', 'assign']);
    assert.deepEqual(assigned(out).map((g) => [g.worker, g.id]), [['b', x.id]]);
    assert.deepEqual([...s.readyWorkers()], ['b']);
  });
});

describe('scheduler: protocol 4 results', () => {
  it('results finished together are each recorded, and the shards asked for with them are assigned in the same turn', () => {
    const s = scheduler(100); // 10 shards of 10 rows
    join(s, 'a');
    const [x, y] = assigned(send(s, 'a', { type: 'request', count: 2 }));
    assert.ok(x && y);
    const out = send(s, 'a', { type: 'result', shards: [finished(x.id, x.begin, x.end), finished(y.id, y.begin, y.end)], request: 2 });
    assert.deepEqual(out.map((d) => d.kind), ['record', 'record', 'assign', 'assign']);
    assert.deepEqual(assigned(out).map((g) => g.id), [2, 3]);
    assert.equal(s.shardsDone, 2);
  });

  it('a result asking for nothing parks nothing; the last result with a request is answered by one finish', () => {
    const s = scheduler(20); // 2 shards
    join(s, 'a');
    const [x, y] = assigned(send(s, 'a', { type: 'request', count: 2 }));
    assert.ok(x && y);
    assert.deepEqual(send(s, 'a', result(x.id, x.begin, x.end)).map((d) => d.kind), ['record']);
    const last = send(s, 'a', result(y.id, y.begin, y.end, [], 2));
    assert.deepEqual(last.map((d) => d.kind), ['record', 'finish', 'complete']);
  });

  it('a hello of another protocol version is refused with the reason, and the peer is not registered', () => {
    const s = scheduler();
    const out = send(s, 'old', { ...hello, protocol: PROTOCOL_VERSION - 1 });
    assert.equal(out.length, 1);
    const [refusal] = out;
    assert.ok(refusal?.kind === 'reject');
    assert.match(refusal.reason, new RegExp(`^protocol ${PROTOCOL_VERSION - 1}: this coordinator speaks protocol ${PROTOCOL_VERSION}`));
    assert.equal(s.liveCount, 0);
    assert.deepEqual(send(s, 'old', ready).map((d) => d.kind), ['drop', 'reset'], 'still unknown');
  });
});

describe('scheduler: the start waits for the planned workers', () => {
  const request: WorkerMessage = { type: 'request' };

  it('hands out nothing until every expected worker is ready, then one shard each', () => {
    const s = scheduler(40, undefined, 2, 5000);
    join(s, 'a', 0);
    assert.deepEqual(assigned(send(s, 'a', request, 0)), []);
    assert.deepEqual(assigned(s.handle({ kind: 'tick', at: 900 })), [], 'b is still loading');
    send(s, 'b', hello, 950);
    const onReady = assigned(send(s, 'b', ready, 1000));
    assert.deepEqual(onReady.map((g) => g.worker), ['a'], 'the last planned worker ready starts the run');
    const [b] = assigned(send(s, 'b', request, 1000));
    assert.equal(b?.worker, 'b');
    assert.notEqual(b.id, onReady[0]!.id);
  });

  it('starts without the missing workers once the grace after the first one has passed', () => {
    const s = scheduler(40, undefined, 3, 800); // (the worker timeout is 1000 ms)
    join(s, 'a', 0);
    assert.deepEqual(assigned(send(s, 'a', request, 10)), []);
    assert.deepEqual(assigned(s.handle({ kind: 'tick', at: 799 })), []);
    assert.deepEqual(assigned(s.handle({ kind: 'tick', at: 800 })).map((g) => g.worker), ['a']);
  });
});

describe('scheduler: failures', () => {
  const request: WorkerMessage = { type: 'request' };
  const failure = (shard: number, code?: string): WorkerMessage => ({ type: 'failure', shard, message: 'boom', code });

  it('refuses a result with a repeated row or a row outside its shard: the shard fails and goes to another worker', () => {
    for (const rows of [(b: number) => [b + 1, b + 1, b + 2, b + 2], (b: number) => [b + 3, b + 2], (b: number) => [b + 1, b + 11]]) {
      const s = scheduler(20);
      join(s, 'a');
      join(s, 'b');
      const [x] = assigned(send(s, 'a', request));
      const [y] = assigned(send(s, 'b', request));
      assert.ok(x && y);
      const out = send(s, 'a', result(x.id, x.begin, x.end, rows(x.begin)));
      assert.ok(!out.some((d) => d.kind === 'record'), `rows ${rows(x.begin)} accepted`);
      assert.deepEqual(out.map((d) => d.kind), ['shard-failed', 'requeue']);
      assert.equal(out[0]?.kind === 'shard-failed' && out[0].code, 'E_RESULT');
      assert.deepEqual(assigned(send(s, 'a', request)), [], 'not back to the worker that got it wrong');
      send(s, 'b', result(y.id, y.begin, y.end));
      assert.deepEqual(assigned(send(s, 'b', request)), [{ ...x, worker: 'b' }]);
      assert.equal(send(s, 'b', result(x.id, x.begin, x.end, [x.begin + 1, x.begin + 4]))[0]?.kind, 'record');
    }
  });

  it('does not give a failed shard back to the worker that failed it while a healthy one can take it', () => {
    const s = scheduler(20);
    join(s, 'bad');
    join(s, 'good');
    const [x] = assigned(send(s, 'bad', request));
    const [y] = assigned(send(s, 'good', request));
    assert.ok(x && y);
    send(s, 'bad', failure(x.id));
    assert.deepEqual(assigned(send(s, 'bad', request)), [], 'bad waits: the only queued shard is the one it failed');
    const out = send(s, 'good', result(y.id, y.begin, y.end));
    assert.equal(out[0]?.kind, 'record');
    send(s, 'good', request);
    assert.equal(s.shardState(x.id), 'leased');
    const done = send(s, 'good', result(x.id, x.begin, x.end));
    assert.ok(done.some((d) => d.kind === 'complete'));
  });

  it('gives a failed shard back to the same worker when no other worker is left to try it', () => {
    const s = scheduler(10);
    join(s, 'a');
    const [x] = assigned(send(s, 'a', request));
    assert.ok(x);
    send(s, 'a', failure(x.id));
    assert.deepEqual(assigned(send(s, 'a', request)).map((g) => g.id), [x.id]);
  });

  it('retires a worker after 3 failed shards: it gets nothing more, and its shards go to the others', () => {
    const s = scheduler(60);
    join(s, 'bad');
    join(s, 'good');
    let last: Decision[] = [];
    for (let i = 0; i < 3; i++) {
      const [x] = assigned(send(s, 'bad', request));
      assert.ok(x, `failure ${i + 1}: bad got a shard`);
      last = send(s, 'bad', failure(x.id, 'E_CUDA'));
    }
    assert.ok(!last.some((d) => d.kind === 'abort'), 'one bad worker does not sink the run');
    const retire = last.find((d) => d.kind === 'retire');
    assert.ok(retire && retire.kind === 'retire' && /retired after 3 failed shards; last: E_CUDA: boom/.test(retire.reason));
    assert.equal(s.workerState('bad'), 'retired');
    assert.deepEqual(send(s, 'bad', request).map((d) => d.kind), ['drop']);
    assert.deepEqual(send(s, 'bad', hello).map((d) => d.kind), ['drop']);
    for (let round = 0; round < 10 && !s.complete; round++) {
      const [g] = assigned(send(s, 'good', request));
      if (g) send(s, 'good', result(g.id, g.begin, g.end));
    }
    assert.ok(s.complete, 'the healthy worker finishes every shard');
  });

  it('aborts at once on a deterministic error (E_FORMAT, E_ARGUMENT), with its code and message', () => {
    for (const code of ['E_FORMAT', 'E_ARGUMENT']) {
      const s = scheduler(20);
      join(s, 'a');
      join(s, 'b');
      const [x] = assigned(send(s, 'a', request));
      assert.ok(x);
      const abort = send(s, 'a', failure(x.id, code)).find((d) => d.kind === 'abort');
      assert.ok(abort && abort.kind === 'abort', `${code} aborts on the first failure`);
      assert.match(abort.reason, new RegExp(`shard ${x.id} .* on a: ${code}: boom \\(not retried`));
    }
  });
});

describe('scheduler: the shard timeout follows the measured rate', () => {
  const request: WorkerMessage = { type: 'request' };

  it('takes a shard back after 4 × its expected time (at least 3 × the worker timeout), not after an hour', () => {
    const s = scheduler(100, undefined, 1, 0, null); // no shardTimeoutMs configured
    join(s, 'a');
    join(s, 'b');
    const [x] = assigned(send(s, 'a', request, 0));
    assert.ok(x);
    // a measures 10 rows in 2 s: 5 rows/s. Its next shard of 10 rows is expected in 2 s: 8 s with the margin.
    assert.equal(send(s, 'a', { type: 'result', shards: [{ ...finished(x.id, x.begin, x.end), seconds: 2 }], request: 0 }, 2000)[0]?.kind, 'record');
    const [y] = assigned(send(s, 'a', request, 2000));
    assert.ok(y);
    for (let t = 2500; t <= 10_000; t += 500) {
      send(s, 'a', { type: 'heartbeat', held: [y.id], seen: 0 }, t);
      send(s, 'b', { type: 'heartbeat', held: [], seen: 0 }, t);
      assert.deepEqual(s.handle({ kind: 'tick', at: t }).filter((d) => d.kind === 'requeue'), [], `still within 8 s at ${t}`);
    }
    send(s, 'a', { type: 'heartbeat', held: [y.id], seen: 0 }, 10_001);
    const out = s.handle({ kind: 'tick', at: 10_001 });
    assert.deepEqual(out.filter((d) => d.kind === 'requeue').map((d) => d.kind === 'requeue' && d.shard.id), [y.id]);
  });

  it('takes back a late lease past its timeout while an older one of a slower worker is still within its own', () => {
    const s = scheduler(100, undefined, 1, 0, null); // derived timeouts: at least 3 × timeoutMs = 3 s
    join(s, 'slow');
    join(s, 'fast');
    const [a] = assigned(send(s, 'slow', request, 0));
    const [b] = assigned(send(s, 'fast', request, 0));
    assert.ok(a && b);
    // slow: 10 rows in 20 s (its next shard may take 4 × 20 s); fast: 10 rows in 0.01 s (the 3 s floor).
    send(s, 'slow', { type: 'result', shards: [{ ...finished(a.id, a.begin, a.end), seconds: 20 }], request: 0 }, 100);
    send(s, 'fast', { type: 'result', shards: [{ ...finished(b.id, b.begin, b.end), seconds: 0.01 }], request: 0 }, 100);
    const [y] = assigned(send(s, 'slow', request, 1000)); // leased first
    const [z] = assigned(send(s, 'fast', request, 1001));
    assert.ok(y && z);
    const beat = (t: number): void => {
      send(s, 'slow', { type: 'heartbeat', held: [y.id], seen: 0 }, t);
      send(s, 'fast', { type: 'heartbeat', held: [z.id], seen: 0 }, t);
    };
    for (let t = 1500; t <= 4000; t += 500) {
      beat(t);
      assert.deepEqual(s.handle({ kind: 'tick', at: t }).filter((d) => d.kind === 'requeue'), [], `both within their timeouts at ${t}`);
    }
    beat(4002);
    const out = s.handle({ kind: 'tick', at: 4002 });
    assert.deepEqual(out.filter((d) => d.kind === 'requeue').map((d) => d.kind === 'requeue' && d.shard.id), [z.id], 'the later lease, past 3 s; the older one has 80 s');
    assert.equal(s.shardState(y.id), 'leased');
  });

  it('keeps a shard of a worker that has not finished one yet (no rate to go by) for an hour', () => {
    const s = scheduler(100, undefined, 1, 0, null); // no shardTimeoutMs configured
    join(s, 'a');
    const [x] = assigned(send(s, 'a', request, 0));
    assert.ok(x);
    send(s, 'a', { type: 'heartbeat', held: [x.id], seen: 0 }, 3_599_000);
    assert.deepEqual(s.handle({ kind: 'tick', at: 3_599_000 }).filter((d) => d.kind === 'requeue'), []);
    send(s, 'a', { type: 'heartbeat', held: [x.id], seen: 0 }, 3_600_001);
    assert.equal(s.handle({ kind: 'tick', at: 3_600_001 }).filter((d) => d.kind === 'requeue').length, 1);
  });
});

describe('scheduler: departures', () => {
  it('says why a worker that leaves before it is ready could not start; a ready worker just leaves', () => {
    const s = scheduler(20);
    send(s, 'a', hello);
    const out = send(s, 'a', { type: 'bye', reason: 'could not prepare: no CUDA driver' });
    assert.deepEqual(out, [{ kind: 'start-failed', worker: 'a', reason: 'could not prepare: no CUDA driver' }]);
    join(s, 'b');
    assert.deepEqual(send(s, 'b', { type: 'bye', reason: 'received SIGTERM' }), []);
  });
});

describe('scheduler: worker names', () => {
  it('refuses a second process under a live worker\'s name, and the live one keeps it', () => {
    const s = scheduler(20);
    join(s, 'w', 0);
    const [x] = assigned(send(s, 'w', { type: 'request' }, 0));
    assert.ok(x);
    const out = send(s, 'w', { ...hello, pid: 2 } as WorkerMessage, 100);
    assert.equal(out.length, 1);
    assert.ok(out[0]?.kind === 'reject' && /the name w is taken by a live worker \(h pid 1\)/.test(out[0].reason));
    assert.equal(s.workerState('w'), 'ready');
    assert.equal(s.shardState(x.id), 'leased', 'the live worker keeps its shard');
    // The same process saying hello again (it lost the coordinator) is not refused.
    assert.deepEqual(send(s, 'w', hello, 200).map((d) => d.kind), ['requeue', 'welcome']);
    // Registered again and loading, it sends nothing: its name is its own while it is connected, ...
    assert.equal(send(s, 'w', { ...hello, pid: 3 } as WorkerMessage, 1500)[0]?.kind, 'reject');
    // ... and once its connection has closed, another process may take it.
    s.handle({ kind: 'disconnected', worker: 'w', at: 1600 });
    assert.deepEqual(send(s, 'w', { ...hello, pid: 3 } as WorkerMessage, 1700).map((d) => d.kind), ['welcome']);
  });

  it('a working worker\'s name lapses once it is silent past the timeout', () => {
    const s = scheduler(20);
    join(s, 'w', 0);
    assert.deepEqual(send(s, 'w', { ...hello, pid: 2 } as WorkerMessage, 1000)[0]?.kind, 'reject');
    assert.deepEqual(send(s, 'w', { ...hello, pid: 2 } as WorkerMessage, 1001).map((d) => d.kind), ['welcome']);
  });
});

describe('shard sizing by time (guided self-scheduling)', () => {
  const policy: SizingPolicy = { targetSeconds: 1, minSeconds: 0.2, minRows: 1 };
  // 900 workers at 10 rows/s and 100 stragglers at 5: the fleet does 9500 rows/s.
  const size = (unassignedRows: number, workerRowsPerSecond: number | undefined, p = policy): number | undefined =>
    shardRows(p, { unassignedRows, fleetRowsPerSecond: 9500, workerRowsPerSecond });

  it('takes the target time while much is left, half the fleet\'s remaining time toward the end, at least the minimum', () => {
    assert.equal(size(100_000, 10), 10, '100000 / 9500 / 2 = 5.3 s, above the target: 1 s at 10 rows/s');
    assert.equal(size(100_000, 5), 5, 'a straggler gets 1 s of its own speed');
    assert.equal(size(9500, 10), 5, '9500 / 9500 / 2 = 0.5 s');
    assert.equal(size(9500, 5), 3, '0.5 s at 5 rows/s = 2.5 rows, rounded');
    assert.equal(size(1900, 10), 2, '0.1 s is below the minimum: 0.2 s at 10 rows/s');
    assert.equal(size(1900, 5), 1);
    assert.equal(size(1900, 5, { ...policy, minRows: 4 }), 4, 'never below minRows');
    assert.equal(size(100_000, undefined), undefined, 'no speed measured yet: the plan\'s shard stands');
  });

  const request: WorkerMessage = { type: 'request' };
  const sized = (shards: Shard[], minSeconds: number): Scheduler =>
    new Scheduler({ shards, checksum: CHECKSUM, timeoutMs: 1000, maxShardAttempts: 3, maxWorkerFailures: 3, chunks: 0, sizing: { targetSeconds: 1, minSeconds, minRows: 1 } });
  /** Finishes shard x on `worker` at `rowsPerSecond`, asking for the next in the same message. */
  const finish = (s: Scheduler, worker: string, x: { id: number; begin: number; end: number }, rowsPerSecond: number): Decision[] =>
    send(s, worker, { type: 'result', shards: [{ ...finished(x.id, x.begin, x.end), seconds: (x.end - x.begin) / rowsPerSecond }], request: 1 });

  it('a lone worker at 100 rows/s cuts 400 rows into 100, 100, 100, 50, 25, 13, 10, 2 (journaled splits, every row once)', () => {
    const s = sized([{ id: 0, begin: 0, end: 10 }, { id: 1, begin: 10, end: 410 }], 0.1);
    join(s, 'a');
    let [x] = assigned(send(s, 'a', request));
    assert.deepEqual(x, { worker: 'a', id: 0, begin: 0, end: 10 }, 'unmeasured: the plan\'s first shard as it is');
    const sizes: number[] = [];
    const splits: Decision[] = [];
    let at = 10;
    for (let out = finish(s, 'a', x!, 100); !out.some((d) => d.kind === 'complete'); out = finish(s, 'a', x!, 100)) {
      [x] = assigned(out);
      assert.equal(x!.begin, at, 'the shards follow each other');
      at = x!.end;
      sizes.push(x!.end - x!.begin);
      splits.push(...out.filter((d) => d.kind === 'split'));
    }
    // Left 400: 400/100/2 = 2 s → 1 s; 300 → 1 s; 200 → 1 s; 100 → 0.5 s; 50 → 0.25 s; 25 → 0.125 s (12.5 rows);
    // 12 → 0.06 s, below the 0.1 s minimum → 10 rows; then the last 2.
    assert.deepEqual(sizes, [100, 100, 100, 50, 25, 13, 10, 2]);
    assert.equal(at, 410);
    assert.equal(splits.length, 7, 'the last shard is not cut');
    const first = splits[0]!;
    assert.deepEqual(first.kind === 'split' && [first.shard.id, first.into], [1, [{ id: 2, begin: 10, end: 110 }, { id: 3, begin: 110, end: 410 }]]);
    assert.deepEqual(s.allShards().map((sh) => sh.end - sh.begin), [10, ...sizes], 'the run\'s shards are the pieces, in row order');
    assert.equal(s.shardsDone, s.shardsTotal);
  });

  it('a straggler gets fewer rows than a fast worker, for the same time', () => {
    const s = sized([{ id: 0, begin: 0, end: 10 }, { id: 1, begin: 10, end: 20 }, { id: 2, begin: 20, end: 3020 }], 0.2);
    join(s, 'fast');
    join(s, 'slow');
    const [f] = assigned(send(s, 'fast', request));
    const [l] = assigned(send(s, 'slow', request));
    // Measured: 100 and 50 rows/s (fleet 150); 3000 rows left: 3000/150/2 = 10 s, above the 1 s target.
    assert.deepEqual(assigned(finish(s, 'fast', f!, 100)).map((a) => a.end - a.begin), [100]);
    assert.deepEqual(assigned(finish(s, 'slow', l!, 50)).map((a) => a.end - a.begin), [50]);
  });
});
