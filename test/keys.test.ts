// `snig keys`: key pairs that a run config can list, and existing pairs kept unless --force.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { newKeyPair, readKeyPair, readPublicKey, z85Encode } from '../common/config/keys.js';
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

  it('takes a public key inline only when it is 40 Z85 characters; Z85 encodes as ZeroMQ RFC 32 says', () => {
    const key = newKeyPair().public;
    assert.equal(readPublicKey(key), key);
    // 40 characters, one outside the Z85 alphabet (a comma, a backslash): taken for a file name, which does not exist.
    for (const bad of [`${key.slice(0, 39)},`, `\\${key.slice(1)}`]) assert.throws(() => readPublicKey(bad), /neither a Z85 key nor a readable key file/);
    assert.equal(z85Encode(new Uint8Array([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b])), 'HelloWorld'); // the RFC's example
  });
});
