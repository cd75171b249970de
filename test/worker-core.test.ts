// The worker's protocol without a socket, a clock or an engine: events in, actions out.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { TransitionError } from '../common/transition.js';
import { PROTOCOL_VERSION, type Assign, type AssignedShard, type CoordinatorMessage, type Welcome, type WorkerMessage } from '../common/protocol/messages.js';
import { WorkerCore, type AgentAction, type AgentEvent, type Loaded } from '../worker/core.js';
import { checkAgentTransition } from '../worker/states.js';

const CHECKSUM = 77;
const RETRY_MS = 100;

const welcome = (mode: 'shared' | 'streamed' = 'shared', chunks = 0, bytes = 0): Welcome => ({
  type: 'welcome',
  name: 'w',
  mode,
  model: { path: mode === 'shared' ? '/m' : undefined, layers: 3, checksum: CHECKSUM, bytes, chunks },
  inputs: { path: mode === 'shared' ? '/i' : undefined, rows: 100, neurons: 16 },
  engine: { engine: 'cpu', threads: 1, kernel: 'auto', weights: 'auto', inputMemory: 'pinned' },
  heartbeatMs: 50,
  timeoutMs: 1000,
});
const loaded: Loaded = { checksum: CHECKSUM, engine: 'cpu', gpuNames: [], loadSeconds: 0.5, streamedBytes: 0 };
const shard = (id: number, begin: number, end: number): AssignedShard => ({ shard: id, begin, end });
const assign = (id: number, begin: number, end: number, mark = 1): Assign => ({ type: 'assign', mark, shards: [shard(id, begin, end)] });

/** A core and a driver that remembers the epoch of the last load and run it was asked for. */
function core(retries = 2) {
  const c = new WorkerCore({ connect: 'tcp://c:1', host: 'h', pid: 9, group: 1, prefetch: 2, retries, retryDelayMs: RETRY_MS, random: () => 0 });
  const feed = (event: AgentEvent): AgentAction[] => c.handle(event);
  const message = (m: CoordinatorMessage, at = 0): AgentAction[] => feed({ kind: 'message', at, message: m });
  return { c, feed, message };
}

const sent = (actions: AgentAction[]): WorkerMessage[] => actions.flatMap((a) => (a.kind === 'send' ? [a.message] : []));
const types = (actions: AgentAction[]): string[] => sent(actions).map((m) => m.type);
const exits = (actions: AgentAction[]): AgentAction[] => actions.filter((a) => a.kind === 'exit');
const runs = (actions: AgentAction[]): number[] => actions.flatMap((a) => (a.kind === 'run' ? [a.shard.shard] : []));
const only = <K extends AgentAction['kind']>(actions: AgentAction[], kind: K): Extract<AgentAction, { kind: K }> => {
  const found = actions.filter((a): a is Extract<AgentAction, { kind: K }> => a.kind === kind);
  assert.equal(found.length, 1, `one ${kind} in ${JSON.stringify(actions.map((a) => a.kind))}`);
  return found[0]!;
};

/** Started, welcomed (shared mode) and ready: returns the epoch its work belongs to. */
function working(t: ReturnType<typeof core>): number {
  t.feed({ kind: 'start', at: 0 });
  const load = only(t.message(welcome()), 'load');
  t.feed({ kind: 'loaded', epoch: load.epoch, loaded });
  return load.epoch;
}

describe('worker core', () => {
  it('says hello with its group, loads the welcomed model, then asks for `prefetch` shards', () => {
    const t = core();
    assert.deepEqual(sent(t.feed({ kind: 'start', at: 0 })), [{ type: 'hello', protocol: PROTOCOL_VERSION, host: 'h', pid: 9, group: 1 }]);
    const load = only(t.message(welcome()), 'load');
    assert.equal(load.welcome.model.path, '/m');
    const ready = t.feed({ kind: 'loaded', epoch: load.epoch, loaded });
    assert.deepEqual(sent(ready), [
      { type: 'ready', checksum: CHECKSUM, engine: 'cpu', gpuNames: [], loadSeconds: 0.5 },
      { type: 'request', count: 2 },
    ]);
  });

  it('runs one shard at a time; each result asks for the next in the same message and starts the one held', () => {
    const t = core();
    const epoch = working(t);
    assert.deepEqual(runs(t.message(assign(4, 40, 50))), [4]);
    assert.deepEqual(runs(t.message(assign(5, 50, 60))), [], 'the engine is busy: shard 5 is held');
    const done = t.feed({ kind: 'shard-done', epoch, shard: shard(4, 40, 50), outcome: { categories: [41, 47], seconds: 0.1, callSeconds: 0.2, inputBytes: 300, edges: 500 } });
    assert.deepEqual(sent(done), [
      { type: 'result', shards: [{ shard: 4, begin: 40, end: 50, categories: [41, 47], seconds: 0.1, callSeconds: 0.2, inputBytes: 300, edges: 500 }], request: 1 },
    ]);
    assert.deepEqual(runs(done), [5]);
  });

  it('reports a failed shard with its error code, and goes on', () => {
    const t = core();
    const epoch = working(t);
    t.message(assign(2, 20, 30));
    const failed = t.feed({ kind: 'shard-failed', epoch, shard: shard(2, 20, 30), message: 'bad row', code: 'E_FORMAT' });
    assert.deepEqual(sent(failed), [{ type: 'failure', shard: 2, message: 'bad row', code: 'E_FORMAT' }, { type: 'request' }]);
  });

  it('drops what comes out of order: an assignment before welcome, a chunk never asked for, a second welcome', () => {
    const t = core();
    t.feed({ kind: 'start', at: 0 });
    const early = t.message(assign(0, 0, 10));
    assert.deepEqual(runs(early), []);
    assert.equal(only(early, 'log').level, 'warn');
    assert.equal(only(t.message({ type: 'chunk', index: 0, data: new Uint8Array(1) }), 'log').message, 'unexpected model chunk dropped');
    only(t.message(welcome()), 'load');
    assert.equal(only(t.message(welcome()), 'log').message, 'unexpected welcome dropped');
  });

  it('asks for a streamed model chunk by chunk, and loads the bytes once all have come', () => {
    const t = core();
    t.feed({ kind: 'start', at: 0 });
    const first = t.message(welcome('streamed', 2, 5));
    assert.deepEqual(first.map((a) => a.kind), ['unload', 'send']);
    assert.deepEqual(sent(first), [{ type: 'chunk-request', index: 0 }]);
    assert.deepEqual(sent(t.message({ type: 'chunk', index: 0, data: Uint8Array.of(1, 2, 3) })), [{ type: 'chunk-request', index: 1 }]);
    const load = only(t.message({ type: 'chunk', index: 1, data: Uint8Array.of(4, 5) }), 'load');
    assert.deepEqual([...load.bytes!], [1, 2, 3, 4, 5]);
  });

  it('exits 2 when the streamed model does not have the announced size', () => {
    const t = core();
    t.feed({ kind: 'start', at: 0 });
    t.message(welcome('streamed', 1, 9));
    const exit = only(t.message({ type: 'chunk', index: 0, data: Uint8Array.of(1) }), 'exit');
    assert.deepEqual(exit.exit, { code: 2, reason: 'received 1 model bytes, expected 9' });
  });

  it('says bye and exits 2 when the model cannot be prepared', () => {
    const t = core();
    t.feed({ kind: 'start', at: 0 });
    const load = only(t.message(welcome()), 'load');
    const failed = t.feed({ kind: 'load-failed', epoch: load.epoch, message: 'no such file' });
    assert.deepEqual(sent(failed), [{ type: 'bye', reason: 'could not prepare: no such file' }]);
    assert.equal(only(failed, 'exit').exit.code, 2);
    assert.deepEqual(t.message(welcome()), [], 'nothing happens once stopped');
  });

  it('heartbeats with the shards it holds and the last mark it has seen, once welcomed', () => {
    const t = core();
    working(t);
    t.message(assign(7, 0, 10, 3));
    t.message(assign(8, 10, 20, 5));
    assert.deepEqual(sent(t.feed({ kind: 'tick', at: 60 })), [{ type: 'heartbeat', held: [7, 8], seen: 5 }]);
    assert.deepEqual(sent(t.feed({ kind: 'tick', at: 80 })), [], 'not again within heartbeatMs');
    t.message({ type: 'heartbeat', mark: 9 });
    assert.deepEqual(sent(t.feed({ kind: 'tick', at: 120 })), [{ type: 'heartbeat', held: [7, 8], seen: 9 }]);
  });

  it('loading its model, sends nothing and expects nothing, however long it takes', () => {
    const t = core();
    t.feed({ kind: 'start', at: 0 });
    const load = only(t.message(welcome()), 'load'); // heartbeatMs 50, timeoutMs 1000
    for (let at = 100; at <= 60_000; at += 100) assert.deepEqual(t.feed({ kind: 'tick', at }), [], `at ${at} ms`);
    assert.deepEqual(types(t.feed({ kind: 'loaded', epoch: load.epoch, loaded })), ['ready', 'request']);
    // The coordinator's silence counts from there: a timeout (1000 ms) after the last tick of the load.
    assert.deepEqual(types(t.feed({ kind: 'tick', at: 61_000 })), ['heartbeat']);
    assert.deepEqual(types(t.feed({ kind: 'tick', at: 61_001 })), ['hello']);
  });

  it('working and holding no shard, heartbeats only every quarter timeout', () => {
    const t = core();
    working(t); // at 0
    assert.deepEqual(sent(t.feed({ kind: 'tick', at: 60 })), [], 'not every heartbeatMs');
    assert.deepEqual(sent(t.feed({ kind: 'tick', at: 240 })), []);
    assert.deepEqual(sent(t.feed({ kind: 'tick', at: 250 })), [{ type: 'heartbeat', held: [], seen: 0 }]);
  });

  it('says hello again while the coordinator is silent, then exits 3 after `retries`', () => {
    const t = core(2);
    t.feed({ kind: 'start', at: 0 });
    // Deadline: retryDelayMs, plus the back-off (random() = 0: half the delay for the attempt).
    assert.deepEqual(types(t.feed({ kind: 'tick', at: RETRY_MS })), []);
    const again = t.feed({ kind: 'tick', at: RETRY_MS * 1.5 + 1 });
    assert.deepEqual(types(again), ['hello']);
    assert.ok(again.some((a) => a.kind === 'reconnect'), 'on a fresh connection');
    const silent = t.feed({ kind: 'tick', at: 10_000 });
    assert.deepEqual(types(silent), ['hello']);
    assert.deepEqual(only(t.feed({ kind: 'tick', at: 20_000 }), 'exit').exit, { code: 3, reason: 'no word from the coordinator at tcp://c:1 after 2 retries' });
  });

  it('registers again on reset, and reports nothing of the older epoch', () => {
    const t = core();
    const epoch = working(t);
    t.message(assign(3, 30, 40));
    t.message(assign(6, 60, 70));
    assert.deepEqual(types(t.message({ type: 'reset' })), ['hello']);
    const late = t.feed({ kind: 'shard-done', epoch, shard: shard(3, 30, 40), outcome: { categories: [], seconds: 0, callSeconds: 0, inputBytes: 0, edges: 0 } });
    assert.deepEqual(sent(late), [], 'a result from before the reset is not sent');
    assert.deepEqual(runs(late), [], 'the shards held before the reset are dropped');
    // The model in hand serves the new registration without loading again.
    assert.deepEqual(types(t.message(welcome())), ['ready', 'request']);
  });

  it('ends on finish (0), reject (2) and stop (bye, 0)', () => {
    const finish = core();
    finish.feed({ kind: 'start', at: 0 });
    assert.deepEqual(only(finish.message({ type: 'finish' }), 'exit').exit, { code: 0, reason: 'run finished' });
    const reject = core();
    reject.feed({ kind: 'start', at: 0 });
    assert.equal(only(reject.message({ type: 'reject', reason: 'wrong model' }), 'exit').exit.code, 2);
    const stop = core();
    working(stop);
    const stopped = stop.feed({ kind: 'stop', reason: 'received SIGTERM' });
    assert.deepEqual(sent(stopped), [{ type: 'bye', reason: 'received SIGTERM' }]);
    assert.equal(only(stopped, 'exit').exit.code, 0);
    assert.ok(stop.c.stopped);
  });

  it('ends at once (4, no bye) when its coordinator is known to be gone, even holding a shard', () => {
    const t = core();
    const epoch = working(t);
    assert.deepEqual(runs(t.message(assign(0, 0, 10))), [0]);
    const gone = t.feed({ kind: 'coordinator-gone', reason: 'snig run has ended' });
    assert.deepEqual(sent(gone), [], 'nobody to say bye to');
    assert.deepEqual(only(gone, 'exit').exit, { code: 4, reason: 'snig run has ended' });
    const late = t.feed({ kind: 'shard-done', epoch, shard: shard(0, 0, 10), outcome: { categories: [], seconds: 0, callSeconds: 0, inputBytes: 0, edges: 0 } });
    assert.deepEqual(late, [], 'the shard that ends after is not reported');
  });

  it('leaves (4) when its connection closed and did not come back within the timeout, even mid-shard', () => {
    const t = core();
    working(t);
    t.feed({ kind: 'connection', up: true, at: 0 });
    assert.deepEqual(runs(t.message(assign(0, 0, 10))), [0]);
    assert.equal(only(t.feed({ kind: 'connection', up: false, at: 100 }), 'log').level, 'warn');
    t.feed({ kind: 'connection', up: false, at: 300 }); // a second close counts from the first
    assert.deepEqual(exits(t.feed({ kind: 'tick', at: 1099 })), [], 'within the welcome timeout (1000 ms)');
    const gone = t.feed({ kind: 'tick', at: 1100 });
    assert.deepEqual(sent(gone), [], 'nobody to say bye to');
    assert.deepEqual(only(gone, 'exit').exit, { code: 4, reason: 'the coordinator at tcp://c:1 is gone: its connection closed 1000 ms ago and did not come back' });
  });

  it('stays when its connection comes back within the timeout, and a coordinator that is only silent is not gone', () => {
    const back = core();
    working(back);
    back.feed({ kind: 'connection', up: true, at: 0 });
    back.feed({ kind: 'connection', up: false, at: 100 });
    back.feed({ kind: 'connection', up: true, at: 900 }); // a coordinator restarted on the same endpoint
    assert.deepEqual(back.message({ type: 'heartbeat', mark: 1 }, 1000), []);
    assert.deepEqual(exits(back.feed({ kind: 'tick', at: 1500 })), []);
    // Connection up and silent past the timeout: hello again (the retries), not an exit.
    const slow = core();
    working(slow);
    slow.feed({ kind: 'connection', up: true, at: 0 });
    const silent = slow.feed({ kind: 'tick', at: 1600 });
    assert.ok(types(silent).includes('hello'));
    assert.deepEqual(exits(silent), []);
    // A connection that never completed its handshake (nothing listens, a refused key) is the retries' affair too.
    const never = core();
    never.feed({ kind: 'start', at: 0 });
    never.feed({ kind: 'connection', up: false, at: 10 });
    assert.deepEqual(types(never.feed({ kind: 'tick', at: 1000 })), ['hello']);
  });

  it('refuses an illegal phase transition, naming from, to and why', () => {
    assert.throws(() => checkAgentTransition('stopped', 'working', 'model ready'), (error: Error) => error instanceof TransitionError && /stopped → working \(model ready\)/.test(error.message));
    assert.throws(() => checkAgentTransition('joining', 'working', 'model ready'), TransitionError);
  });
});
