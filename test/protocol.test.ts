// Wire messages: what is sent is what arrives (typed arrays included); anything else is refused
// with a reason, never an exception.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pack } from 'msgpackr';

import { decodeCoordinatorMessage, decodeWorkerMessage, encode } from '../common/protocol/codec.js';

describe('protocol', () => {
  it('round-trips an assignment with streamed rows as typed arrays', () => {
    const inputs = { neurons: 8, rowptr: Float64Array.from([0, 2, 3]), cols: Uint32Array.from([1, 5, 7]), values: Float32Array.from([1, 0.5, 2]) };
    const decoded = decodeCoordinatorMessage(encode({ type: 'assign', shards: [{ shard: 3, begin: 10, end: 12, inputs }] }));
    assert.ok(decoded.ok);
    assert.equal(decoded.message.type, 'assign');
    if (decoded.message.type !== 'assign') return;
    assert.ok(decoded.message.shards[0]?.inputs?.rowptr instanceof Float64Array);
    assert.deepEqual(decoded.message.shards[0]?.inputs, inputs);
  });

  it('carries several shards in one assignment, but never none', () => {
    const shards = [{ shard: 1, begin: 0, end: 5 }, { shard: 2, begin: 5, end: 9 }];
    const decoded = decodeCoordinatorMessage(encode({ type: 'assign', shards }));
    assert.ok(decoded.ok && decoded.message.type === 'assign');
    assert.deepEqual(decoded.message.shards, shards);
    const empty = decodeCoordinatorMessage(encode({ type: 'assign', shards: [] }));
    assert.ok(!empty.ok && /shards/.test(empty.error), 'an empty assignment is refused');
    const many = decodeWorkerMessage(encode({ type: 'request', count: 3 }));
    assert.ok(many.ok && many.message.type === 'request' && many.message.count === 3);
    assert.ok(!decodeWorkerMessage(encode({ type: 'request', count: 0 })).ok, 'a request for no shards is refused');
  });

  it('carries the shards finished together and the request for more in one result', () => {
    const shards = [{ shard: 7, begin: 70, end: 80, categories: [71], seconds: 0.5, edges: 10 }, { shard: 8, begin: 80, end: 90, categories: [], seconds: 0.5, edges: 10 }];
    const decoded = decodeWorkerMessage(encode({ type: 'result', shards, request: 2 }));
    assert.ok(decoded.ok && decoded.message.type === 'result');
    assert.deepEqual(decoded.message, { type: 'result', shards, request: 2 });
  });

  it('decodes a hello of another protocol version, so that the coordinator can refuse it with a reason', () => {
    const decoded = decodeWorkerMessage(pack({ type: 'hello', protocol: 1, host: 'h', pid: 1, engine: 'cpu', gpus: [], threads: 0 }));
    assert.ok(decoded.ok && decoded.message.type === 'hello' && decoded.message.protocol === 1);
  });

  it('round-trips model chunks as bytes', () => {
    const data = Buffer.from([1, 2, 3, 250]);
    const decoded = decodeCoordinatorMessage(encode({ type: 'chunk', index: 0, data }));
    assert.ok(decoded.ok && decoded.message.type === 'chunk');
    assert.deepEqual([...(decoded.message as { data: Uint8Array }).data], [1, 2, 3, 250]);
  });

  it('refuses garbage, wrong shapes and the other side\'s messages, naming the field', () => {
    const bad = (r: { ok: true } | { ok: false; error: string }): string => (r.ok ? 'accepted' : r.error);
    assert.match(bad(decodeWorkerMessage(Buffer.from([0xc1, 0xff]))), /not msgpack/);
    const finished = { shard: 1, begin: 0, end: 1, categories: [], seconds: 0, edges: 0 };
    assert.match(bad(decodeWorkerMessage(pack({ type: 'result', shards: [{ ...finished, shard: -1 }], request: 1 }))), /shards\.0\.shard/);
    assert.match(bad(decodeWorkerMessage(pack({ type: 'result', shards: [finished, { ...finished, categories: ['x'] }], request: 1 }))), /shards\.1\.categories\.0/);
    assert.match(bad(decodeWorkerMessage(pack({ type: 'result', shards: [], request: 1 }))), /shards/);
    assert.match(bad(decodeWorkerMessage(pack({ type: 'result', shards: [finished] }))), /request/);
    assert.match(bad(decodeWorkerMessage(pack({ ...finished, type: 'result' }))), /shards/, 'a protocol 3 result');
    assert.match(bad(decodeWorkerMessage(encode({ type: 'finish' }))), /type/);
    assert.match(bad(decodeWorkerMessage(pack('hello'))), /message/);
    assert.match(bad(decodeWorkerMessage(pack({ type: 'hello', protocol: '4', host: 'h', pid: 1 }))), /protocol/);
    assert.match(bad(decodeCoordinatorMessage(pack({ type: 'assign', shards: [{ shard: 1, begin: 0, end: 1, inputs: { neurons: 1, rowptr: [0, 1], cols: [0], values: [1] } }] }))), /shards\.0\.inputs\.rowptr/);
  });
});
