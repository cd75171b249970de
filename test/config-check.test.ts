// `snig config check` and `snig slurm-script` on broken configs: a clear message naming the file and
// the problem, no stack trace, and exit status 2 (a config error), never 1 (a FAILED answer).
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';

import { official, tempDir, writeText } from './helpers.js';
import { snig } from './suite-helpers.js';

const configs = resolve(import.meta.dirname, '../configs');
const files = `model: ${official.model}\ninput: ${official.images}\ntruth: ${official.truth}\n`;

/** Exit 2, the message on stderr without a stack trace, nothing on stdout. */
function assertConfigError(result: { code: number; stdout: string; stderr: string }, message: RegExp): void {
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, message);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(result.stdout, '');
}

describe('snig config check', () => {
  const dir = tempDir();
  const broken: Array<[string, string, string, RegExp]> = [
    ['a bad key', 'bad-key', `${files}out: o\nworkers: [{ count: 1, bogus: 1 }]\n`, /bad-key\.yaml: invalid run configuration\n\s+workers\.0\.bogus \(line 5\): unknown field/],
    ['a bad value', 'bad-value', `${files}out: o\nworkers: [{ engine: tpu }]\n`, /bad-value\.yaml: invalid run configuration\n\s+workers\.0\.engine/],
    ['a YAML syntax error', 'yaml-syntax', 'model: [unclosed\n', /yaml-syntax\.yaml: .*line 2/s],
    ['a missing model', 'missing-model', `model: ${join(dir, 'neuron99')}\ninput: ${official.images}\nout: o\nworkers: [{}]\n`, /missing-model\.yaml: files not found\n\s+model: .*neuron99 does not exist/],
  ];
  for (const [what, name, text, message] of broken) {
    it(`exits 2 with the file and the problem on ${what}`, async () => {
      const path = writeText(join(dir, `${name}.yaml`), text);
      assertConfigError(await snig(['config', 'check', path]), message);
    });
  }

  it('exits 2 on a file that does not exist', async () => {
    assertConfigError(await snig(['config', 'check', join(dir, 'nowhere.yaml')]), /nowhere\.yaml: cannot read \(ENOENT/);
  });

  it('prints only JSON with --json, the config with its defaults', async () => {
    const result = await snig(['config', 'check', join(configs, 'local-cpu.yaml'), '--json']);
    assert.equal(result.code, 0, result.stderr);
    const config = JSON.parse(result.stdout) as { model: string; coordinator: { timeoutMs: number } };
    assert.equal(config.model, resolve(configs, '../data/hpec-1024/neuron1024'));
    assert.equal(config.coordinator.timeoutMs, 10000);
  });

  it('checks a suite config: every example passes, a bad setup and a missing benchmark file are named', async () => {
    for (const name of ['suite-small.yaml', 'suite-challenge.yaml', 'suite-challenge-slurm.yaml']) {
      const result = await snig(['config', 'check', join(configs, name)]);
      assert.equal(result.code, 0, `${name}: ${result.stderr}`);
      assert.match(result.stdout, /valid suite \(\d+ benchmarks/);
    }
    const suite = writeText(
      join(dir, 'suite.yaml'),
      [
        'out: o',
        'setup: { workers: [{ launch: local, count: 0 }] }',
        'benchmarks:',
        `  - { name: official, model: ${official.model}, input: ${join(dir, 'no-images.tsv')}, truth: ${official.truth} }`,
        '  - { name: gen, generate: { neurons: 1024, layers: 6, rows: 100 } }',
      ].join('\n'),
    );
    assertConfigError(await snig(['config', 'check', suite]), /suite\.yaml: invalid suite configuration\n[\s\S]*benchmark official: invalid run configuration\n\s+workers\.0\.count[\s\S]*benchmarks\.0\.input: .*no-images\.tsv does not exist[\s\S]*benchmark gen: invalid/);
  });
});

describe('snig slurm-script on a broken config', () => {
  it('exits 2 without a stack trace on a bad key, a YAML error and a missing file', async () => {
    const dir = tempDir();
    const badKey = writeText(join(dir, 'key.yaml'), `${files}out: o\nworkers: [{ launch: slurm }]\nslurm: { nodez: 2 }\n`);
    assertConfigError(await snig(['slurm-script', badKey]), /key\.yaml: invalid run configuration\n\s+slurm\.nodez \(line \d+\): unknown field/);
    const yaml = writeText(join(dir, 'syntax.yaml'), 'workers: [\n');
    assertConfigError(await snig(['slurm-script', yaml]), /syntax\.yaml: /);
    assertConfigError(await snig(['slurm-script', join(dir, 'absent.yaml')]), /absent\.yaml: cannot read/);
  });
});
