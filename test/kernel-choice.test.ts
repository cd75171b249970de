// The CUDA engine's kernel and weight choices, its host side: the C++ test program (built by
// `npm install` with or without nvcc) checks "auto" against the build and the model, the refusals,
// and float64 requests routed to SNIG's pipelines.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { runNativeTest } from './native-test.js';

test('CUDA engine choices: kernel and weight resolution, refusals, the float64 fallback', () => {
  // Every check ran: 6 kernel, 6 weight and 4 fallback checks.
  assert.equal(runNativeTest('kernel-choice-test').length, 16);
});
