// Slurm for real: a private single-node Slurm cluster on this machine (scripts/slurm/start.sh), an sbatch
// script from `snig slurm-script`, a run of the official 1024×120 sample with 2 worker tasks (CPU
// engine) started by srun, then PASSED in the report; a whole suite in one job, with its results table
// and chart; a worker task killed mid-run. The daemons are stopped afterwards.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

import type { RunReport } from '../coordinator/report.js';
import { missingCommands, requireService } from './services.js';
import { readCsv, snig, svgBars } from './suite-helpers.js';

const run = promisify(execFile);
// start.sh runs munged, slurmctld and slurmd as root; the test submits with sbatch, workers start with
// srun, jobs are watched with scontrol, free ports found with ss and worker tasks with pgrep.
const skip = requireService(
  'Slurm',
  [
    ...missingCommands(['slurmctld', 'slurmd', 'sinfo', 'sbatch', 'srun', 'scontrol', 'munged', 'mungekey', 'ss', 'pgrep']),
    ...(process.getuid?.() === 0 ? [] : ['root']),
  ],
  'as root, with apt-get install slurm-wlm munge iproute2 procps',
);

const data = resolve('data/hpec-1024');
// Workers dial the coordinator by this machine's hostname (as on a real cluster); a test machine whose
// hostname does not resolve uses the loopback address instead.
const hostResolves = (() => {
  try {
    execFileSync('getent', ['hosts', hostname()], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const coordinatorHost = hostResolves ? '' : ', coordinatorHost: 127.0.0.1';

/** Polls the controller until the job leaves the queue; its final state and exit code. */
async function waitForJob(jobId: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ state: string; exitCode: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { stdout } = await run('scontrol', ['show', 'job', '--oneliner', jobId], { env });
    const state = /\bJobState=(\S+)/.exec(stdout)?.[1] ?? '?';
    if (!['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', '?'].includes(state)) {
      return { state, exitCode: /\bExitCode=(\S+)/.exec(stdout)?.[1] ?? '?' };
    }
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${state} after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

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
        `slurm: { nodes: 1, time: "00:05:00", jobName: snig-ci${coordinatorHost} }`,
      ].join('\n'),
    );
    const written = await snig(['slurm-script', config], env);
    assert.equal(written.code, 0, written.stderr);
    const script = join(out, 'snig-ci.sbatch');
    assert.equal(written.stdout.split('\n')[0], script);
    const text = readFileSync(script, 'utf8');
    assert.match(text, /^#SBATCH --nodes=1$/m);
    assert.match(text, /^#SBATCH --ntasks-per-node=2$/m);
    assert.match(text, /^#SBATCH --time=00:05:00$/m);

    const submitted = await run('sbatch', ['--parsable', script], { env });
    const jobId = submitted.stdout.trim().split(';')[0]!;
    assert.match(jobId, /^\d+$/);
    const finished = await waitForJob(jobId, env, 240_000);
    const jobLogPath = join(out, `snig-ci-${jobId}.out`);
    assert.equal(finished.state, 'COMPLETED', existsSync(jobLogPath) ? readFileSync(jobLogPath, 'utf8') : `no ${jobLogPath}`);
    assert.equal(finished.exitCode, '0:0');
    const jobLog = readFileSync(jobLogPath, 'utf8');
    assert.match(jobLog, new RegExp(`"job":"${jobId}".*starting Slurm workers with srun`));

    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
    assert.equal(report.status, 'PASSED', jobLog);
    assert.equal(report.verification?.passed, true);
    assert.equal(report.rowRange, '1:1200');
    assert.equal(report.rows, 1200);
    assert.equal(report.categories, readFileSync(`${data}/first1200-l120-categories.tsv`, 'utf8').trim().split('\n').filter((l) => !l.startsWith('#')).length);
    // Both srun tasks started and dialled the coordinator (a fast run may finish before the second registers).
    const connecting = jobLog.split('\n').filter((line) => line.includes('"msg":"worker connecting"'));
    assert.equal(new Set(connecting.map((line) => (JSON.parse(line) as { name: string }).name)).size, 2, jobLog);
    assert.ok(report.workers.length >= 1);
    assert.equal(report.shards.computed, report.shards.planned + report.shards.splits);
    assert.ok(existsSync(join(out, 'report.md')));
  });
  it('evaluates a suite inside one sbatch job: results table and chart at the end', async () => {
    const out = join(scratch, 'suite-out');
    const config = join(scratch, 'suite-slurm.yaml');
    writeFileSync(
      config,
      [
        'name: slurm suite',
        `out: ${out}`,
        `cache: ${join(scratch, 'suite-cache')}`,
        'setup:',
        '  coordinator: { bind: "tcp://0.0.0.0:*" }',
        '  workers: [{ launch: slurm, count: 2, engine: cpu, threads: 1 }]',
        `  slurm: { nodes: 1, time: "00:05:00", jobName: snig-suite-ci${coordinatorHost} }`,
        'benchmarks:',
        `  - { name: official-first1200, model: ${data}/neuron1024, input: ${data}/sparse-images-1024-first1200.tsv.gz, truth: ${data}/first1200-l120-categories.tsv, layers: 120 }`,
        '  - { name: gen-1024x12, generate: { neurons: 1024, layers: 12, rows: 300, seed: 5 } }',
      ].join('\n'),
    );
    const written = await snig(['slurm-script', config], env);
    assert.equal(written.code, 0, written.stderr);
    const submitted = await run('sbatch', ['--parsable', join(out, 'snig-suite-ci.sbatch')], { env });
    const jobId = submitted.stdout.trim().split(';')[0]!;
    const finished = await waitForJob(jobId, env, 240_000);
    const jobLogPath = join(out, `snig-suite-ci-${jobId}.out`);
    assert.equal(finished.state, 'COMPLETED', existsSync(jobLogPath) ? readFileSync(jobLogPath, 'utf8') : `no ${jobLogPath}`);

    const csv = readCsv(join(out, 'results.csv'));
    assert.deepEqual(csv.map((row) => [row.benchmark, row.passed]), [['official-first1200', 'true'], ['gen-1024x12', 'true']]);
    for (const row of csv) {
      const report = JSON.parse(readFileSync(row.report!, 'utf8')) as RunReport;
      assert.equal(Number(row.edgesPerSecond), report.edgesPerSecond);
    }
    assert.equal(svgBars(join(out, 'results.svg')).length, 2);
    assert.match(readFileSync(join(out, 'results.md'), 'utf8'), /\| official-first1200 \| 1200 \| 1 \| 0 \| .* \| PASSED \|/);
  });
  it('keeps going when one srun worker task is killed mid-run: its shards are reassigned, PASSED', async () => {
    const gen = join(scratch, 'gen');
    const made = await snig(['generate', '--neurons', '1024', '--layers', '120', '--rows', '12000', '--seed', '3', '--format', 'binary', '--out', gen], env);
    assert.equal(made.code, 0, made.stderr);
    const out = join(scratch, 'kill-out');
    const config = join(scratch, 'kill.yaml');
    writeFileSync(
      config,
      [
        `model: ${gen}/neuron1024-l120.snig`,
        `input: ${gen}/sparse-images-1024.tsv.gz`,
        `truth: ${gen}/neuron1024-l120-categories.tsv`,
        `out: ${out}`,
        'shards: { maxRows: 50, minRows: 25 }',
        'coordinator: { bind: "tcp://0.0.0.0:*", timeoutMs: 3000 }',
        'workers: [{ launch: slurm, count: 2, engine: cpu, threads: 1 }]',
        `slurm: { nodes: 1, time: "00:05:00", jobName: snig-kill${coordinatorHost} }`,
      ].join('\n'),
    );
    assert.equal((await snig(['slurm-script', config], env)).code, 0);
    const jobId = (await run('sbatch', ['--parsable', join(out, 'snig-kill.sbatch')], { env })).stdout.trim().split(';')[0]!;
    const jobLogPath = join(out, `snig-kill-${jobId}.out`);
    // The workers that have finished a shard (journaled as done), by pid (worker names end with -<pid>).
    const journalPath = join(out, 'journal.jsonl');
    const busyPids = (): Set<string> =>
      new Set(existsSync(journalPath) ? [...readFileSync(journalPath, 'utf8').matchAll(/"type":"done",[^\n]*?"worker":"[^"]*-(\d+)"/g)].map((m) => m[1]!) : []);
    const deadline = Date.now() + 120_000;
    // Kill a worker only once both are computing: one still loading holds no shard to reassign.
    while (busyPids().size < 2) {
      assert.ok(Date.now() < deadline, 'both workers did not finish a shard within 120 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // This job's srun tasks: `snig worker` processes whose environment names the job.
    const workers = execFileSync('pgrep', ['-f', `^${process.execPath} .* worker --connect`], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter((pid) => readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`SLURM_JOB_ID=${jobId}`));
    assert.equal(workers.length, 2, `worker tasks of job ${jobId}: ${workers.join(' ')}`);
    assert.deepEqual(new Set(workers), busyPids());
    process.kill(Number(workers[0]), 'SIGKILL');

    const finished = await waitForJob(jobId, env, 240_000);
    const jobLog = readFileSync(jobLogPath, 'utf8');
    assert.equal(finished.state, 'COMPLETED', jobLog);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
    assert.equal(report.status, 'PASSED', jobLog);
    assert.ok(report.failures.some((f) => f.worker.endsWith(`-${workers[0]}`) && /lost/.test(f.message)), JSON.stringify(report.failures));
    assert.equal(report.shards.computed, report.shards.planned + report.shards.splits);
  });
});
