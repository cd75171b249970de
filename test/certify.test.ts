// Certified verification (issue 7): a row on the unstable fixed point y -> 2y + b, whose fate depends
// on rounding, is labelled rounding-fragile; a row that is simply wrong is labelled wrong.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Engine } from '../common/engine.js';
import { native } from '../common/native.js';
import { certify, describeVerdict, judge, verifyCategories } from '../common/verdict.js';

describe('verdict', () => {
  it('checks only the truth rows inside the computed range', async () => {
    // Rows [2, 6) 0-based are the 1-based rows 3..6: truth rows 1 and 9 are another run's.
    assert.deepEqual(await judge([3, 5], [1, 3, 5, 9], [2, 6]), { passed: true, missing: [], extra: [] });
    assert.deepEqual(await judge([5, 6, 6], [1, 3, 5, 9], [2, 6]), { passed: false, missing: [3], extra: [6, 6] });
    assert.equal(describeVerdict(await judge([5], [3, 5], [0, 6])), 'FAILED: 1 rows differ (1 missing, 0 extra)');
  });
});

describe('certified verification', () => {
  it('labels rows that float32 and float64 end differently as rounding-fragile, others as wrong', async () => {
    // N = 32, every output reads all 32 inputs at 1/16: a row of equal values y maps to 2y - 0.3.
    // Rows start a few float32 ulps around y = 0.3, so some end alive in one precision, dead in the other.
    const model = await native().generateModel({ neurons: 32, layers: 40, bias: -0.3, seed: 1, threads: 0 });
    const offsets = Array.from({ length: 129 }, (_, k) => k - 64);
    const values = new Float32Array(offsets.length * 32);
    offsets.forEach((m, r) => values.fill(Math.fround(Math.fround(0.3) * (1 + m * 2 ** -24)), r * 32, (r + 1) * 32));
    const inputs = native().inputsFromArrays({
      neurons: 32,
      rowptr: Float64Array.from({ length: offsets.length + 1 }, (_, r) => r * 32),
      cols: Uint32Array.from({ length: values.length }, (_, k) => k % 32),
      values,
    });
    const engine = await Engine.open(model, { engine: 'cpu' });
    const truth = (await engine.infer(inputs, { precision: 'f64' })).categories; // the float64 verdict
    const reported = (await engine.infer(inputs, { precision: 'f32' })).categories;
    engine.close();

    const check = verifyCategories(reported, truth);
    assert.ok(!check.passed, 'float32 and float64 agree on every row: the construction failed');
    const fragileRows = [...check.missing, ...check.extra].sort((a, b) => a - b);
    // One robust row reported wrongly on top: row 1 (offset -64 ulps) and the last row end the same in both.
    const robust = [1, offsets.length].find((row) => !fragileRows.includes(row));
    assert.ok(robust !== undefined);
    const truthWithError = truth.includes(robust) ? truth.filter((row) => row !== robust) : [...truth, robust].sort((a, b) => a - b);
    const verdict = await judge(reported, truthWithError, [0, offsets.length], (check) => certify(model, inputs, check));
    const certificate = verdict.certificate!;
    assert.equal(certificate.rows.length, fragileRows.length + 1);
    assert.deepEqual(certificate.rows.filter((r) => r.fragile).map((r) => r.row), fragileRows);
    assert.deepEqual(certificate.rows.filter((r) => !r.fragile).map((r) => r.row), [robust]);
    assert.equal(certificate.fragile, fragileRows.length);
    assert.equal(certificate.wrong, 1);
    assert.equal(
      describeVerdict(verdict),
      `FAILED: ${fragileRows.length + 1} rows differ — ${fragileRows.length} rounding-fragile (float64 agrees with the truth), 1 wrong`,
    );
    inputs.close();
    model.close();
  });
});
