// The cluster's commands as a user runs them: `snig keys`, `snig config check`, `snig worker` on a bad endpoint.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';

import { readKeyPair, readPublicKey } from '../common/config/keys.js';
import { MAIN, tempDir } from './cluster-fixture.js';

function snig(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cluster commands', () => {
  it('snig keys writes a key pair and a public key per name', () => {
    const dir = tempDir('cli-keys');
    const r = snig('keys', 'coordinator', 'node01', '--out', dir);
    assert.equal(r.status, 0, r.stderr);
    const pair = readKeyPair(join(dir, 'node01.key'));
    assert.equal(readPublicKey(join(dir, 'node01.pub')), pair.public);
    assert.ok(existsSync(join(dir, 'coordinator.key')));
    assert.match(r.stdout, new RegExp(`node01: ${pair.public.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it('snig config check accepts the example and names the bad field of a broken one', () => {
    const ok = snig('config', 'check', resolve(import.meta.dirname, '../configs/local-cpu.yaml'));
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /valid/);
    const bad = join(tempDir('cli-config'), 'bad.yaml');
    writeFileSync(bad, 'model: m\ninput: i\nout: o\nworkers:\n  - count: -1\n');
    const r = snig('config', 'check', bad);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /bad\.yaml.*workers\.0\.count/s);
  });

  it('snig worker exits 2 on an endpoint that is not one, naming it', () => {
    for (const endpoint of ['head:5555', 'tcp://head']) {
      const r = snig('worker', '--connect', endpoint);
      assert.equal(r.status, 2, r.stderr);
      assert.ok(r.stderr.startsWith(`snig: cannot connect to ${endpoint}: `) && r.stderr.endsWith('(an endpoint is tcp://host:port)\n'), r.stderr);
    }
  });
});
