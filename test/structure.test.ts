// The exact neuron-equivalence reduction (native/core/structure): its C++ test program, built with
// the addon (`npm install` builds every native target into build/), checks the reduced network
// evaluated on the CPU against the full CPU engine on RadiX-Net, random and official networks.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const binary = process.env.SNIG_STRUCTURE_TEST ?? join(root, 'build', 'structure-test');

test('the reduced network equals the full CPU engine (RadiX-Net, random, official 1024x120)', () => {
  assert.ok(existsSync(binary), `${binary} is missing: build the native targets with npm install`);
  const run = spawnSync(binary, [join(root, 'data', 'hpec-1024')], { encoding: 'utf8' });
  const lines = run.stdout.trim().split('\n');
  assert.equal(run.status, 0, `structure-test failed:\n${run.stdout}${run.stderr}`);
  assert.equal(lines.at(-1), 'PASSED');
  // Every check ran: 2 structure checks, 4 RadiX comparisons, 3 random ones and the class split by
  // per-neuron biases, the exit rules, the reduction cache, 2 official.
  assert.equal(lines.filter((line) => line.startsWith('ok ')).length, 14);
});
