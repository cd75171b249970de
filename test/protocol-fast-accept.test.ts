// The plain checks of the frequent messages (common/protocol/fast-accept.ts) against their reference,
// the zod schemas: every message they accept, zod accepts and returns unchanged; the valid messages of
// each frequent kind are accepted by them (else the fast path would silently stop being used); and
// decoding gives zod's verdict on every message, mutated in every field.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pack, unpack } from 'msgpackr';
import type { z } from 'zod';

import { decodeCoordinatorMessage, decodeWorkerMessage } from '../common/protocol/codec.js';
import { acceptCoordinatorMessage, acceptWorkerMessage } from '../common/protocol/fast-accept.js';
import { coordinatorMessageSchema, workerMessageSchema } from '../common/protocol/messages.js';
import { random } from '../scripts/small-network.js';

type Json = Record<string, unknown> | unknown[];

const draw = random(17);
const int = (n: number): number => Math.floor(draw() * n);
const list = <T>(n: number, item: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => item(i));

function finishedShard(i: number): Record<string, unknown> {
  const begin = 10 * i + int(5);
  const shard: Record<string, unknown> = { shard: i, begin, end: begin + 1 + int(4), categories: list(int(3), (k) => begin + 1 + k), seconds: draw(), edges: int(1000) };
  if (draw() < 0.5) shard.callSeconds = draw();
  if (draw() < 0.5) shard.inputBytes = int(1 << 20);
  return shard;
}

/** Valid messages of the kinds the plain checks take. */
function validWorkerMessages(): Json[] {
  return [
    { type: 'result', shards: list(1 + int(3), finishedShard), request: int(3) },
    { type: 'result', shards: [{ shard: 0, begin: 0, end: 1, categories: [], seconds: 0, edges: 0 }], request: 4096 },
    { type: 'request', count: 1 + int(4096) },
    { type: 'request' },
    { type: 'heartbeat', held: list(int(4), (k) => k), seen: int(100) },
  ];
}
function validCoordinatorMessages(): Json[] {
  return [
    { type: 'assign', mark: int(100), shards: list(1 + int(3), (i) => ({ shard: i, begin: 2 * i, end: 2 * i + 1 })) },
    { type: 'heartbeat', mark: 0 },
  ];
}

const badValues: unknown[] = [-1, -0.5, 1.5, Number.NaN, Infinity, -Infinity, 2 ** 53, '1', null, undefined, true, [], {}, 0, 4097];

/** Copies of `value` with one thing changed: each field replaced by each bad value or removed, a key added to each object, each list emptied or made too long. */
function mutations(value: unknown): unknown[] {
  if (Array.isArray(value)) {
    const out: unknown[] = [[], list(4097, () => value[0])];
    value.forEach((item, i) => {
      for (const changed of [...badValues, ...mutations(item)]) out.push(value.map((x, j) => (j === i ? changed : x)));
    });
    return out;
  }
  if (typeof value !== 'object' || value === null) return [];
  const fields = value as Record<string, unknown>;
  const out: unknown[] = [{ ...fields, extra: 1 }];
  for (const key of Object.keys(fields)) {
    const { [key]: _, ...without } = fields;
    out.push(without);
    for (const changed of [...badValues, ...mutations(fields[key])]) out.push({ ...fields, [key]: changed });
  }
  return out;
}

function checkAgainstZod(name: string, valid: Json[], schema: z.ZodType, accept: (v: unknown) => unknown, decode: (b: Uint8Array) => { ok: boolean }): void {
  let accepted = 0;
  let refused = 0;
  for (const message of valid) {
    assert.equal(accept(message), message, `${name}: a valid ${JSON.stringify(message).slice(0, 80)} is accepted as it is`);
    for (const candidate of [message, ...mutations(message)]) {
      const reference = schema.safeParse(candidate);
      if (accept(candidate) !== undefined) {
        accepted++;
        assert.ok(reference.success, `${name}: accepted what zod refuses: ${JSON.stringify(candidate)?.slice(0, 200)}`);
        assert.deepEqual(reference.data, candidate, `${name}: zod would change ${JSON.stringify(candidate)?.slice(0, 200)}`);
      } else if (!reference.success) refused++;
      const bytes = pack(candidate);
      assert.equal(decode(bytes).ok, schema.safeParse(unpack(bytes)).success, `${name}: decoding ${JSON.stringify(candidate)?.slice(0, 200)} gives zod's verdict`);
    }
  }
  assert.ok(accepted > valid.length && refused > 100, `${name}: the mutations cover both verdicts (${accepted} accepted, ${refused} refused)`);
}

describe('the plain checks of the frequent messages', () => {
  it('accept a worker\'s results, requests and heartbeats only as zod does', () => {
    checkAgainstZod('worker', validWorkerMessages(), workerMessageSchema, acceptWorkerMessage, decodeWorkerMessage);
  });

  it('accept the coordinator\'s shared-mode assignments and heartbeats only as zod does', () => {
    checkAgainstZod('coordinator', validCoordinatorMessages(), coordinatorMessageSchema, acceptCoordinatorMessage, decodeCoordinatorMessage);
  });

  it('leave a streamed assignment (shards with their rows) and the other messages to zod', () => {
    const inputs = { neurons: 8, rowptr: Float64Array.from([0, 1]), cols: Uint16Array.from([3]) };
    assert.equal(acceptCoordinatorMessage({ type: 'assign', mark: 1, shards: [{ shard: 0, begin: 0, end: 1, inputs }] }), undefined);
    assert.equal(acceptWorkerMessage({ type: 'hello', protocol: 5, host: 'h', pid: 1 }), undefined);
    assert.equal(acceptCoordinatorMessage({ type: 'finish' }), undefined);
  });
});
