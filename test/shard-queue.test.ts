// The scheduler's queue of shard ids (kept reversed for O(1) takes) against a plain array, next first.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ShardQueue } from '../coordinator/shard-queue.js';
import { random } from '../scripts/small-network.js';

describe('shard queue', () => {
  it('takes, finds and inserts by position as an array would, next first', () => {
    const rand = random(7);
    const reference = Array.from({ length: 50 }, (_, i) => i);
    const queue = new ShardQueue(reference);
    let nextId = 50;
    for (let step = 0; step < 2000; step++) {
      const r = rand();
      if (reference.length > 0 && r < 0.45) {
        const at = rand() < 0.7 ? 0 : Math.floor(rand() * reference.length);
        assert.equal(queue.removeAt(at), reference.splice(at, 1)[0]);
      } else if (r < 0.8) {
        const at = rand() < 0.5 ? 0 : Math.floor(rand() * (reference.length + 1));
        queue.insertAt(at, nextId);
        reference.splice(at, 0, nextId++);
      } else {
        const mod = 2 + Math.floor(rand() * 5);
        const test = (id: number): boolean => id % mod === 0;
        assert.equal(queue.findIndex(test), reference.findIndex(test));
      }
      assert.equal(queue.length, reference.length);
    }
    const drained: number[] = [];
    while (queue.length > 0) drained.push(queue.removeAt(0));
    assert.deepEqual(drained, reference);
  });
});
