// The rule for tests that need a system service: by hand a missing service skips with a hint; under
// CI (CI=true) the same file fails, naming what is missing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { root, tempDir, writeText } from './helpers.js';

function runFile(ci: string | undefined): { status: number | null; output: string } {
  const file = writeText(
    join(tempDir(), 'needs.test.ts'),
    `import { test } from 'node:test';\n` +
      `import { requireService } from ${JSON.stringify(join(root, 'test/services.ts'))};\n` +
      `const skip = requireService('Frobnicator', ['frobd'], 'apt-get install frob');\n` +
      `test('uses the frobnicator', { skip }, () => { throw new Error('ran without frobd'); });\n`,
  );
  const env: NodeJS.ProcessEnv = { ...process.env, CI: ci };
  if (ci === undefined) delete env.CI;
  delete env.NODE_TEST_CONTEXT; // a test runner of its own, not a child of this one
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', file], { cwd: root, env, encoding: 'utf8' });
  return { status: child.status, output: child.stdout + child.stderr };
}

describe('tests that need a system service', () => {
  it('skip with the hint when run by hand', () => {
    const { status, output } = runFile(undefined);
    assert.equal(status, 0, output);
    assert.match(output, /# SKIP Frobnicator: missing frobd \(apt-get install frob\)/);
    assert.match(output, /# fail 0/);
  });

  it('fail the run under CI=true, naming what is missing', () => {
    const { status, output } = runFile('true');
    assert.notEqual(status, 0, output);
    assert.match(output, /not ok \d+ - Frobnicator is available \(required under CI\)/);
    assert.match(output, /Frobnicator: missing frobd/);
  });
});
