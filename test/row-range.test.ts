// The one row notation users see (first:last, 1-based, inclusive) and the 0-based half-open spans
// the engines take; the model checksum's one notation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { formatChecksum } from '../common/checksum.js';
import { validateConfig } from '../common/config/load.js';
import { formatRowRange, parseRowRangeSyntax, resolveRowRange } from '../common/row-range.js';

describe('row ranges', () => {
  it('read first:last, 1-based and inclusive, into [begin, end)', () => {
    assert.deepEqual(resolveRowRange('1:1200', 1200), { begin: 0, end: 1200 });
    assert.deepEqual(resolveRowRange('601:', 1200), { begin: 600, end: 1200 });
    assert.deepEqual(resolveRowRange(':25', 1200), { begin: 0, end: 25 });
    assert.deepEqual(resolveRowRange('7:7', 10), { begin: 6, end: 7 });
    assert.deepEqual(resolveRowRange(undefined, 30), { begin: 0, end: 30 });
  });

  it('print [begin, end) as first:last, the inverse of reading', () => {
    assert.equal(formatRowRange({ begin: 0, end: 1200 }), '1:1200');
    for (const text of ['1:1', '20:60', '1199:1200']) assert.equal(formatRowRange(resolveRowRange(text, 1200)), text);
  });

  it('refuse bad syntax, row 0, a reversed range and rows past the inputs, saying why', () => {
    assert.match(String(parseRowRangeSyntax('0-1200')), /not a row range: rows first:last, 1-based and inclusive/);
    assert.match(String(parseRowRangeSyntax('0:10')), /numbered from 1/);
    assert.match(String(parseRowRangeSyntax('20:10')), /first row is after the last/);
    assert.throws(() => resolveRowRange('1:1201', 1200), /rows 1:1201 are outside the 1200 input rows \(1:1200\)/);
  });

  it('are what a run config takes, checked by its schema', () => {
    const base = { model: 'm', input: 'i', out: 'o', workers: [{}] };
    assert.equal(validateConfig({ ...base, rowRange: '1:400' }, 'test').rowRange, '1:400');
    assert.throws(() => validateConfig({ ...base, rows: { begin: 0, end: 400 } }, 'test'), /rows/);
    assert.throws(() => validateConfig({ ...base, rowRange: '400:1' }, 'test'), /rowRange: "400:1": the first row is after the last/);
  });
});

describe('model checksums', () => {
  it('print as 8 hexadecimal digits', () => {
    assert.equal(formatChecksum(0x6b1df4e6), '6b1df4e6');
    assert.equal(formatChecksum(7), '00000007');
    assert.equal(formatChecksum(0xffffffff), 'ffffffff');
  });
});
