// Runs one of the native test programs that `npm install` builds into build/ (native/tests/): it
// prints "ok <check>" or "FAIL <check>" per check and PASSED or FAILED last. Returns its ok lines.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { root } from './helpers.js';

export function runNativeTest(program: string, args: string[] = []): string[] {
  const override = process.env[`SNIG_${program.toUpperCase().replace('-', '_')}`]; // e.g. SNIG_SECTIONS_TEST
  const binary = override ?? join(root, 'build', program);
  assert.ok(existsSync(binary), `${binary} is missing: build the native targets with npm install`);
  const run = spawnSync(binary, args, { encoding: 'utf8' });
  assert.equal(run.status, 0, `${program} failed:\n${run.stdout}${run.stderr}`);
  const lines = run.stdout.trim().split('\n');
  assert.equal(lines.at(-1), 'PASSED');
  return lines.filter((line) => line.startsWith('ok '));
}
