// The CUDA engine's row batches across GPUs, its host side: the C++ test program (built by
// `npm install` with or without nvcc) runs the batching with CPU stand-ins for the GPU pipelines and
// checks batch sizes, that every row is inferred once, and the merged results against one CPU engine.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { runNativeTest } from './native-test.js';

test('CUDA engine batches: sizes, each row once, merged results equal the CPU engine, failures surface', () => {
  // Every check ran: 7 batch sizes, the reference, 6 merge checks, the failure.
  assert.equal(runNativeTest('batches-test').length, 15);
});
