// The worker's reconnect delay: doubling and capped, with jitter so that the workers of a restarted
// coordinator spread their attempts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { retryDelay } from '../worker/backoff.js';
import { random } from './helpers.js';

describe('retryDelay', () => {
  it('lies in the upper half of a doubling, capped ceiling', () => {
    const ceilings = [500, 500, 1000, 2000, 4000, 8000, 16000, 30000, 30000];
    ceilings.forEach((ceiling, attempt) => {
      assert.equal(retryDelay(attempt, 500, 30_000, () => 0), ceiling / 2, `attempt ${attempt}, lowest`);
      assert.ok(Math.abs(retryDelay(attempt, 500, 30_000, () => 1) - ceiling) < 1e-9, `attempt ${attempt}, highest`);
    });
  });

  it('spreads 100 workers over the window instead of sending them at one moment', () => {
    const draw = random(11);
    const delays = Array.from({ length: 100 }, () => retryDelay(4, 500, 30_000, draw));
    const slot = (ms: number): number => Math.floor((ms - 2000) / 200); // ten 200 ms slots over [2000, 4000)
    const slots = new Set(delays.map(slot));
    assert.ok(delays.every((ms) => ms >= 2000 && ms <= 4000));
    assert.ok(slots.size >= 8, `${slots.size} of 10 slots used`);
  });
});
