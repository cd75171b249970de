// The exact neuron-equivalence reduction (native/core/structure): its C++ test program, built with
// the addon (`npm install` builds every native target into build/), checks the reduced network
// evaluated on the CPU against the full CPU engine on RadiX-Net, random and official networks, and
// the choice `--kernel auto` makes from it.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';

import { root } from './helpers.js';
import { runNativeTest } from './native-test.js';

test('the reduced network equals the full CPU engine (RadiX-Net, random, official 1024x120)', () => {
  // Every check ran: 2 structure checks, 4 RadiX comparisons, 3 random ones and the class split by
  // per-neuron biases, the exit rules, the reduction cache (2 checks), auto's choice (3: probed,
  // short, whole and cached), 2 official.
  assert.equal(runNativeTest('structure-test', [join(root, 'data', 'hpec-1024')]).length, 18);
});
