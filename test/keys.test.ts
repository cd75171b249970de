// `snig keys`: key pairs that a run config can list, and existing pairs kept unless --force.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { readKeyPair } from '../common/config/keys.js';
import { tempDir } from './helpers.js';
import { snig } from './suite-helpers.js';

describe('snig keys', () => {
  it('refuses to overwrite an existing pair without --force, and replaces it with --force', async () => {
    const dir = tempDir();
    const made = await snig(['keys', 'coordinator', 'w1', '--out', dir]);
    assert.equal(made.code, 0, made.stderr);
    const first = readKeyPair(join(dir, 'w1.key'));
    assert.equal(readFileSync(join(dir, 'w1.pub'), 'utf8').trim(), first.public);

    const again = await snig(['keys', 'w2', 'w1', '--out', dir]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /w1\.key, .*w1\.pub already exist: use --force/);
    assert.doesNotMatch(again.stderr, /\n\s+at /, 'no stack trace');
    assert.deepEqual(readKeyPair(join(dir, 'w1.key')), first, 'the old pair is kept');
    assert.throws(() => readKeyPair(join(dir, 'w2.key')), /not a key file/, 'nothing written when refused');

    const forced = await snig(['keys', 'w1', '--out', dir, '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.notEqual(readKeyPair(join(dir, 'w1.key')).public, first.public);
  });
});
