// What `snig --help` and a typo tell a user: examples, the exit statuses (the same as README's table
// and common/exit-codes.ts), and a suggestion for a mistyped command.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { EXIT } from '../common/exit-codes.js';
import { KERNELS } from '../common/engine-options.js';
import { root } from './helpers.js';
import { snig } from './suite-helpers.js';

describe('snig help', () => {
  it('suggests the command a typo meant, and exits 2', async () => {
    const typo = await snig(['infr']);
    assert.equal(typo.code, EXIT.usage);
    assert.match(typo.stderr, /Did you mean infer\?/);
  });

  it('shows examples and every exit status, as README documents them', async () => {
    const help = await snig(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Examples:\n\s+snig infer --model/);
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const table = [...readme.matchAll(/^\| (\d+) \| (.+) \|$/gm)].map((m) => Number(m[1]));
    assert.deepEqual(table, Object.values(EXIT), 'README lists each exit status once, in order');
    for (const status of Object.values(EXIT)) assert.match(help.stdout, new RegExp(`^  ${status} +\\S`, 'm'), `exit status ${status} in --help`);
  });

  it('lists the valid values of every enum, and examples, for each engine command', async () => {
    for (const command of ['infer', 'run', 'worker']) {
      const help = await snig([command, '--help']);
      const kernels = KERNELS.map((kernel) => `"${kernel}"`).join(', ');
      assert.ok(new RegExp(`--kernel[\\s\\S]*?\\[choices: ${kernels}\\]`).test(help.stdout), `${command} --help lists ${kernels}`);
      assert.match(help.stdout, /--log-format[\s\S]*?\[choices: "auto", "pretty", "json"\]/, `${command} --help`);
      assert.match(help.stdout, new RegExp(`Examples:\\n\\s+snig ${command} `), `${command} --help`);
    }
  });
});
