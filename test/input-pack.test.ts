// The input upload's host half: the C++ test program (built by `npm install` with or without nvcc)
// checks the chunks of rows, the packed bytes and the runs of columns against hand-derived ones,
// the compact 16-bit columns and runs that binary input files and slices keep for the upload,
// compact reads of a binary input file (the columns only, each still checked, the file named on a
// bad one), and the packing in parts on helper threads.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { runNativeTest } from './native-test.js';

test('input upload, host half: chunks, packed columns and values, runs, compact columns kept by their producers, helper threads', () => {
  // Every check ran: 10 chunk checks, 6 packing checks, 4 run checks, 8 producer checks, 9 compact-read
  // checks, 2 checks of packing in parts, 3 of the helper pool.
  assert.equal(runNativeTest('input-pack-test').length, 42);
});
