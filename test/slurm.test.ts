// Slurm for real: a private single-node Slurm cluster on this machine (scripts/slurm/start.sh), an sbatch
// script from `snig slurm-script`, a run of the official 1024×120 sample with 2 worker tasks (CPU
// engine) started by srun, then PASSED in the report. The daemons are stopped afterwards.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

import type { RunReport } from '../coordinator/report.js';
import { snigCommand } from '../coordinator/suite/snig-command.js';

const run = promisify(execFile);
const hasSlurm = ['slurmctld', 'slurmd', 'munged', 'sbatch'].every((tool) => {
  try {
    execFileSync('bash', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});
// CI installs Slurm (scripts/ci/install-slurm.sh): there a missing Slurm fails instead of skipping.
const skip = !hasSlurm && !process.env.CI ? 'slurm-wlm and munge are not installed (scripts/ci/install-slurm.sh)' : false;

const data = resolve('data/hpec-1024');

describe('Slurm end to end (single-node cluster on localhost)', { skip, timeout: 300_000 }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'snig-slurm-'));
  const cluster = join(scratch, 'slurm');
  const env = { ...process.env, SLURM_CONF: join(cluster, 'slurm.conf') };

  before(() => {
    execFileSync('bash', ['scripts/slurm/start.sh', cluster], { stdio: ['ignore', 'inherit', 'inherit'] });
  });
  after(() => {
    execFileSync('bash', ['scripts/slurm/stop.sh', cluster], { stdio: 'inherit' });
    rmSync(scratch, { recursive: true, force: true });
  });

  it('runs the official 1024×120 sample from an sbatch script with 2 srun worker tasks: PASSED', async () => {
    const out = join(scratch, 'out');
    const config = join(scratch, 'run-slurm.yaml');
    writeFileSync(
      config,
      [
        `model: ${data}/neuron1024`,
        `input: ${data}/sparse-images-1024-first1200.tsv.gz`,
        `truth: ${data}/first1200-l120-categories.tsv`,
        'layers: 120',
        `out: ${out}`,
        'coordinator: { bind: "tcp://0.0.0.0:*" }',
        'workers:',
        '  - { launch: slurm, count: 2, engine: cpu, threads: 1 }',
        'slurm: { nodes: 1, time: "00:05:00", jobName: snig-ci }',
      ].join('\n'),
    );
    const [command, ...base] = snigCommand();
    const written = await run(command!, [...base, 'slurm-script', config], { env });
    const script = join(out, 'snig-ci.sbatch');
    assert.equal(written.stdout.split('\n')[0], script);
    const text = readFileSync(script, 'utf8');
    assert.match(text, /^#SBATCH --nodes=1$/m);
    assert.match(text, /^#SBATCH --ntasks-per-node=2$/m);
    assert.match(text, /^#SBATCH --time=00:05:00$/m);

    // --wait: sbatch returns when the job ends, with the job's exit code.
    const submitted = await run('sbatch', ['--wait', '--parsable', script], { env, timeout: 240_000 }).catch((error: Error & { stdout?: string }) => {
      const logs = readdirSync(out).filter((name) => name.endsWith('.out')).map((name) => readFileSync(join(out, name), 'utf8'));
      throw new Error(`sbatch --wait failed: ${error.message}\n${logs.join('\n')}`);
    });
    const jobId = submitted.stdout.trim().split(';')[0]!;
    assert.match(jobId, /^\d+$/);
    const jobLog = readFileSync(join(out, `snig-ci-${jobId}.out`), 'utf8');
    assert.match(jobLog, new RegExp(`"job":"${jobId}".*starting Slurm workers with srun`));

    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
    assert.equal(report.status, 'PASSED', jobLog);
    assert.equal(report.verification?.passed, true);
    assert.deepEqual([report.rows.begin, report.rows.end], [0, 1200]);
    assert.equal(report.categories, readFileSync(`${data}/first1200-l120-categories.tsv`, 'utf8').trim().split('\n').filter((l) => !l.startsWith('#')).length);
    assert.equal(report.workers.length, 2, 'two srun tasks registered');
    assert.equal(report.shards.computed, report.shards.total);
    assert.ok(existsSync(join(out, 'report.md')));
  });
});
