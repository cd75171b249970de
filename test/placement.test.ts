// The CUDA engine's size-only choices, its host side: the C++ test program (built by `npm install`
// with or without nvcc) checks the --weights names, where "auto" puts the weights around the
// free-memory boundary, and when auto's general kernel falls back to SNIG's pipeline.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { runNativeTest } from './native-test.js';

test('CUDA engine placement: weight names, auto placement at the boundary, general kernel memory check', () => {
  // Every check ran: 5 names, 7 sizes.
  assert.equal(runNativeTest('placement-test').length, 12);
});
