// SNIG's sectioned layout, the host side of the CUDA engine's SNIG kernel: its C++ test program, built
// by `npm install` with or without nvcc, checks the section plans for an H100's limits at every launch
// shape and that the sectioned layers hold exactly the model's edges. No GPU needed.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { runNativeTest } from './native-test.js';

test('SNIG sections: plans per launch shape, and the sectioned layers equal the model', () => {
  // Every check ran: 8 plans, the too-small error, 4 round trips.
  assert.equal(runNativeTest('sections-test').length, 13);
});
