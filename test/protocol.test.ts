// Wire messages: what is sent is what arrives (typed arrays included); anything else is refused
// with a reason, never an exception.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pack } from 'msgpackr';

import { decodeCoordinatorMessage, decodeWorkerMessage, encode } from '../common/protocol/codec.js';

describe('protocol', () => {
  it('round-trips an assignment with streamed rows as typed arrays', () => {
    const inputs = { neurons: 8, rowptr: Float64Array.from([0, 2, 3]), cols: Uint32Array.from([1, 5, 7]), values: Float32Array.from([1, 0.5, 2]) };
    const decoded = decodeCoordinatorMessage(encode({ type: 'assign', shard: 3, begin: 10, end: 12, inputs }));
    assert.ok(decoded.ok);
    assert.equal(decoded.message.type, 'assign');
    if (decoded.message.type !== 'assign') return;
    assert.ok(decoded.message.inputs?.rowptr instanceof Float64Array);
    assert.deepEqual(decoded.message.inputs, inputs);
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
    assert.match(bad(decodeWorkerMessage(pack({ type: 'result', shard: -1, begin: 0, end: 1, categories: [], seconds: 0, edges: 0 }))), /shard/);
    assert.match(bad(decodeWorkerMessage(pack({ type: 'result', shard: 1, begin: 0, end: 1, categories: ['x'], seconds: 0, edges: 0 }))), /categories\.0/);
    assert.match(bad(decodeWorkerMessage(encode({ type: 'finish' }))), /type/);
    assert.match(bad(decodeWorkerMessage(pack('hello'))), /message/);
    assert.match(bad(decodeWorkerMessage(pack({ type: 'hello', protocol: 1, host: 'h', pid: 1, engine: 'cpu', gpus: [], threads: 0 }))), /protocol/);
    assert.match(bad(decodeCoordinatorMessage(pack({ type: 'assign', shard: 1, begin: 0, end: 1, inputs: { neurons: 1, rowptr: [0, 1], cols: [0], values: [1] } }))), /inputs\.rowptr/);
  });
});
