// How the general CUDA pipeline's first-layer kernels split a batch over the multiprocessors, host
// side: the C++ test program (built by `npm install` with or without nvcc) checks the rule's
// choices against values derived by hand. No GPU needed.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { runNativeTest } from './native-test.js';

test('general kernels: the first layer splits small batches so every multiprocessor has work, large ones not', () => {
  // Every check ran: 9 of the rows kernel's choices, 2 of the count kernel's.
  assert.equal(runNativeTest('first-layer-split-test').length, 11);
});
