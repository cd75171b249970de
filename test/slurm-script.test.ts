// `snig slurm-script` through the CLI: run and suite configs, flags over the config, clear refusals.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';

import { snig } from './suite-helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'snig-slurm-script-'));
after(() => rmSync(scratch, { recursive: true, force: true }));


describe('snig slurm-script', () => {
  it('writes a batch script that runs the suite on the allocation its setup asks for, flags first', async () => {
    const script = join(scratch, 'suite.sbatch');
    const result = await snig(['slurm-script', 'configs/suite-challenge-slurm.yaml', '--script', script, '--partition', 'gpu', '--time', '04:00:00']);
    assert.equal(result.code, 0, result.stderr);
    const text = readFileSync(script, 'utf8');
    for (const option of ['--job-name=snig-suite', '--nodes=4', '--ntasks-per-node=4', '--gpus-per-node=4', '--cpus-per-task=4', '--time=04:00:00', '--partition=gpu']) {
      assert.match(text, new RegExp(`^#SBATCH ${option}$`, 'm'), option);
    }
    const exec = text.split('\n').find((line) => line.startsWith('exec '))!;
    assert.ok(exec.endsWith(` suite ${resolve('configs/suite-challenge-slurm.yaml')}`), exec);
    execFileSync('bash', ['-n', script]);
  });

  it('writes one for a run config, next to its output by default', async () => {
    const out = join(scratch, 'run-out');
    const config = join(scratch, 'run.yaml');
    writeFileSync(config, [`model: m`, `input: i`, `out: ${out}`, 'workers: [{ launch: slurm, count: 3, engine: cpu }]', 'slurm: { nodes: 2 }'].join('\n'));
    const result = await snig(['slurm-script', config]);
    assert.equal(result.code, 0, result.stderr);
    const text = readFileSync(join(out, 'snig.sbatch'), 'utf8');
    assert.match(text, /^#SBATCH --nodes=2$/m);
    assert.match(text, /^#SBATCH --ntasks-per-node=3$/m);
    assert.doesNotMatch(text, /--gpus-per-node/);
    assert.match(text, new RegExp(`^#SBATCH --output=${out}/snig-%j.out$`, 'm'));
    assert.ok(text.includes(` run ${config}\n`));
  });

  it('refuses a config without Slurm workers, naming the file and field, and a bad time limit, naming the flag', async () => {
    const config = join(scratch, 'local.yaml');
    writeFileSync(config, ['model: m', 'input: i', `out: ${scratch}/o`, 'workers: [{ launch: local, count: 2 }]'].join('\n'));
    const none = await snig(['slurm-script', config]);
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, new RegExp(`${config}: workers: no group has launch: slurm`));
    const bad = await snig(['slurm-script', 'configs/slurm-gpus.yaml', '--time', 'two hours', '--script', join(scratch, 'x.sbatch')]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^snig: --time: a Slurm time limit such as 30, 01:00:00 or 1-12:00:00\n$/, 'the flag is checked by the config field\'s schema');
  });
});
