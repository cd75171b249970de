// `snig infer` end to end: the first real run a new user makes, its exit codes and its errors.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

import { native } from '../common/native.js';
import { official, root, tempDir, writeText } from './helpers.js';

const execFileAsync = promisify(execFile);

async function snig(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, ['--import', 'tsx', join(root, 'cli/main.ts'), ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('snig infer', () => {
  it('PASSES on the real official sample, printing time and edges/s, and writes a report', async () => {
    const report = join(tempDir(), 'report.json');
    const spawned = performance.now();
    const result = await snig('infer', '--model', official.model, '--input', official.images, '--truth', official.truth, '--engine', 'cpu', '--report', report);
    const waited = (performance.now() - spawned) / 1000;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^PASSED$/m);
    assert.match(result.stdout, /inference\s+[\d.]+ s compute, [\d.]+e\+\d+ edges\/s compute, [\d.]+e\+\d+ edges\/s total/);
    assert.match(result.stdout, /time\s+[\d.]+ s total: startup [\d.]+, model [\d.]+, inputs [\d.]+, truth [\d.]+, engine start [\d.]+, upload and results [\d.]+, compute [\d.]+, verify [\d.]+, other [\d.]+/);
    assert.match(result.stdout, /categories 19/);
    const json = JSON.parse(readFileSync(report, 'utf8'));
    assert.equal(json.verdict.passed, true);
    assert.equal(json.categories.length, 19);
    assert.equal(json.model.edges, 3932160);
    // The total is what this test waited for, less process spawn and exit; the parts fit inside it.
    const { total, parts } = json.seconds as { total: number; parts: Record<string, number> };
    const sum = Object.values(parts).reduce((a, b) => a + b, 0);
    assert.ok(sum <= total + 1e-6 && total <= waited, `parts ${sum} s, total ${total} s, waited ${waited} s`);
    assert.ok(parts.compute! > 0 && parts.compute === json.inferenceSeconds);
    assert.equal(json.inputBytesRead, statSync(official.images).size);
  });

  it('exits 1 with FAILED and the differing rows when the truth disagrees', async () => {
    const truth = readFileSync(official.truth, 'utf8').trim().split('\n');
    const wrong = writeText(join(tempDir(), 'wrong.tsv'), `${[...truth.slice(1), '5'].join('\n')}\n`);
    const result = await snig('infer', '--model', official.model, '--input', official.images, '--truth', wrong, '--engine', 'cpu', '--certify');
    assert.equal(result.code, 1);
    assert.match(result.stdout, /FAILED: 2 rows differ — 0 rounding-fragile \(float64 agrees with the truth\), 2 wrong/);
    assert.match(result.stdout, new RegExp(`row ${truth[0]}: reported nonzero, truth zero`));
    assert.match(result.stdout, /row 5: reported zero, truth nonzero/);
  });

  it('infers a row range: only its truth rows, named with rowRange in the report', async () => {
    const report = join(tempDir(), 'report.json');
    const result = await snig('infer', '--model', official.model, '--input', official.images, '--truth', official.truth, '--engine', 'cpu', '--row-range', '601:', '--report', report);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^PASSED$/m);
    assert.match(result.stdout, /\(rows 601:1200 of 1200\)/);
    const json = JSON.parse(readFileSync(report, 'utf8'));
    assert.deepEqual(json.inputs, { path: official.images, rows: 1200, rowRange: '601:1200' });
    const truth = readFileSync(official.truth, 'utf8').trim().split('\n').map(Number);
    assert.deepEqual(json.categories, truth.filter((row) => row > 600));
  });

  it('fails with the file and line of a bad input, non-zero', async () => {
    const bad = writeText(join(tempDir(), 'images.tsv'), '1\t3\t1\n1\tseven\t1\n');
    const result = await snig('infer', '--model', official.model, '--layers', '2', '--input', bad);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /images\.tsv:2: column 'seven' is not a whole number/);
  });

  it('reports the build and the GPUs seen', async () => {
    const result = await snig('info', '--json');
    assert.equal(result.code, 0, result.stderr);
    const info = JSON.parse(result.stdout);
    assert.equal(typeof info.cudaCompiled, 'boolean');
    assert.ok(Array.isArray(info.gpus));
  });

  it('says which kernel auto picks for a model and why: fast for a RadiX-Net, general without structure', async () => {
    const radix = await snig('info', '--model', official.model);
    assert.equal(radix.code, 0, radix.stderr);
    // 16 outputs share each input set: the reduction keeps about 1/16 of the 120 x 32768 edges.
    assert.match(radix.stdout, /auto kernel +fast: the reduction keeps [0-9.]+ % of the 3932160 edges \(at most 50 %\), 64 classes at most; fan-in 32\.\.32/);
    const model = await native().generateModel({ structure: 'random', neurons: 256, layers: 2, fanInMin: 8, fanInMax: 24, weights: 'positive', bias: -0.2, seed: 1, threads: 0 });
    const path = join(tempDir(), 'random.snig');
    await native().writeModelBinary(model, path);
    model.close();
    const random = await snig('info', '--model', path, '--json');
    assert.equal(random.code, 0, random.stderr);
    const { autoKernel } = JSON.parse(random.stdout);
    assert.equal(autoKernel.kernel, 'general');
    assert.match(autoKernel.reason, /keeps 100\.0 % of the \d+ edges \(more than 50 %\), 256 classes at most; fan-in (\d+)\.\.(\d+)/);
  });
});
