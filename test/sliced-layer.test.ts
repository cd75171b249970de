// The general CUDA kernels' layer layouts (sliced ELL, padded), host side: its C++ test program, built by
// `npm install` with or without nvcc, checks that both layouts hold every column in stored order and
// that evaluating through either as the kernels do equals the CPU engine on every value. No GPU needed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const binary = process.env.SNIG_SLICED_LAYER_TEST ?? join(root, 'build', 'sliced-layer-test');

test('general kernels: sliced and padded layers hold the columns and evaluate to the CPU engine bit for bit', () => {
  assert.ok(existsSync(binary), `${binary} is missing: build the native targets with npm install`);
  const run = spawnSync(binary, [], { encoding: 'utf8' });
  const lines = run.stdout.trim().split('\n');
  assert.equal(run.status, 0, `sliced-layer-test failed:\n${run.stdout}${run.stderr}`);
  assert.equal(lines.at(-1), 'PASSED');
  // Every check ran: alignment, the padded layout's size, then layout and values in both layouts, for
  // three networks.
  assert.equal(lines.filter((line) => line.startsWith('ok ')).length, 18);
});
