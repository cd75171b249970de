// The input upload's host half: the C++ test program (built by `npm install` with or without nvcc)
// checks the chunks of rows, the packed bytes against hand-derived ones, and the compact 16-bit
// columns that binary input files and slices keep for the upload, and compact reads of a binary
// input file (the columns only, each still checked, the file named on a bad one), and the packing in
// parts on helper threads.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { runNativeTest } from './native-test.js';

test('input upload, host half: chunks, packed columns and values, compact columns kept by their producers, helper threads', () => {
  // Every check ran: 9 chunk checks, 6 packing checks, 6 producer checks, 9 compact-read checks, 2
  // checks of packing in parts, 3 of the helper pool.
  assert.equal(runNativeTest('input-pack-test').length, 35);
});
