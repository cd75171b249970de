// SNIG's sectioned layout, the host side of the CUDA engine's SNIG kernel: its C++ test program, built
// by `npm install` with or without nvcc, checks the section plans for an H100's limits at every launch
// shape and that the sectioned layers hold exactly the model's edges. No GPU needed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const binary = process.env.SNIG_SECTIONS_TEST ?? join(root, 'build', 'sections-test');

test('SNIG sections: plans per launch shape, and the sectioned layers equal the model', () => {
  assert.ok(existsSync(binary), `${binary} is missing: build the native targets with npm install`);
  const run = spawnSync(binary, [], { encoding: 'utf8' });
  const lines = run.stdout.trim().split('\n');
  assert.equal(run.status, 0, `sections-test failed:\n${run.stdout}${run.stderr}`);
  assert.equal(lines.at(-1), 'PASSED');
  // Every check ran: 8 plans, the too-small error, 4 round trips.
  assert.equal(lines.filter((line) => line.startsWith('ok ')).length, 13);
});
