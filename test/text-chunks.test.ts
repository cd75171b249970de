// Parsing TSV files on all cores (native/core/text_chunks.hpp): its C++ test program cuts input and
// layer files written by hand at every chunk size (LF and CRLF, with and without a final newline) and
// checks the rows and weights read back (lines in every accepted form too), and that a bad or
// duplicated line in a late chunk is named by its own file and line.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { runNativeTest } from './native-test.js';

test('TSV inputs and layers read in chunks equal what was written; errors name the right line', () => {
  // 4 input line-ending variants, 3 input error checks, 2 checks of line forms, 2 layer checks.
  assert.equal(runNativeTest('text-chunks-test').length, 11);
});
