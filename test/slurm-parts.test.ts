// The Slurm launcher's pure parts: reading an allocation, placing workers, the srun step and the
// sbatch script (checked by bash's parser).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import pino from 'pino';

import { loadConfig } from '../common/config/load.js';
import { NotInAllocationError, readAllocation } from '../coordinator/launch/slurm-allocation.js';
import { slurmWorkerArgv } from '../coordinator/launch/slurm-launcher.js';
import { slurmJobSchema } from '../common/config/slurm.js';
import { renderSlurmScript, shellQuote } from '../coordinator/launch/slurm-script.js';
import { advertisedEndpoint, planWorkers, slurmWorkerCount, srunArgs } from '../coordinator/launch/slurm-workers.js';

const job = slurmJobSchema.parse({});
const allocation = { jobId: '42', nodes: 3, gpusPerNode: 4, cpusOnNode: 16, host: 'node01' };

describe('Slurm allocation', () => {
  it('reads the batch environment Slurm sets', () => {
    const found = readAllocation({ SLURM_JOB_ID: '7', SLURM_JOB_NUM_NODES: '2', SLURM_GPUS_ON_NODE: '4', SLURM_CPUS_ON_NODE: '32' });
    assert.deepEqual({ ...found, host: '' }, { jobId: '7', nodes: 2, gpusPerNode: 4, cpusOnNode: 32, host: '' });
    assert.equal(readAllocation({ SLURM_JOB_ID: '8', SLURM_GPUS_PER_NODE: 'h100:8' }).gpusPerNode, 8);
    assert.equal(readAllocation({ SLURM_JOB_ID: '8' }).gpusPerNode, 0);
  });

  it('refuses to launch outside an allocation, saying how to get one', () => {
    assert.throws(() => readAllocation({}), (error: Error) => error instanceof NotInAllocationError && /sbatch/.test(error.message));
  });
});

describe('worker placement', () => {
  it('puts count workers on every node, or one per GPU group', () => {
    assert.deepEqual(planWorkers({ count: 2 }, allocation), { nodes: 3, tasksPerNode: 2, gpusPerTask: 0 });
    assert.deepEqual(planWorkers({ count: 1, gpusPerWorker: 1 }, allocation), { nodes: 3, tasksPerNode: 4, gpusPerTask: 1 });
    assert.deepEqual(planWorkers({ count: 1, gpusPerWorker: 2 }, allocation), { nodes: 3, tasksPerNode: 2, gpusPerTask: 2 });
    assert.throws(() => planWorkers({ count: 1, gpusPerWorker: 1 }, { ...allocation, gpusPerNode: 0 }), /gpusPerWorker is 1 but Slurm job 42 has 0 GPUs/);
    assert.equal(slurmWorkerCount({ count: 1, gpusPerWorker: 1 }, allocation), 12);
    assert.equal(slurmWorkerCount({ count: 2 }, allocation), 6);
  });

  it('asks srun for exactly that many tasks and binds GPUs per task', () => {
    const args = srunArgs({ nodes: 3, tasksPerNode: 4, gpusPerTask: 1 }, { ...job, cpusPerWorker: 8 });
    for (const arg of ['--nodes=3', '--ntasks=12', '--ntasks-per-node=4', '--gpus-per-task=1', '--cpus-per-task=8', '--kill-on-bad-exit=0']) {
      assert.ok(args.includes(arg), `${arg} in ${args.join(' ')}`);
    }
    assert.ok(!srunArgs({ nodes: 1, tasksPerNode: 2, gpusPerTask: 0 }, job).some((arg) => arg.startsWith('--gpus')));
  });

  it('gives workers a reachable coordinator address', () => {
    assert.equal(advertisedEndpoint('tcp://0.0.0.0:5555', 'node01'), 'tcp://node01:5555');
    assert.equal(advertisedEndpoint('tcp://*:5555', 'node01'), 'tcp://node01:5555');
    assert.equal(advertisedEndpoint('tcp://10.1.2.3:5555', 'node01'), 'tcp://10.1.2.3:5555');
    assert.throws(() => advertisedEndpoint('ipc:///tmp/x', 'node01'), /expected tcp:\/\/host:port/);
  });

  it('starts `snig worker` per task with the coordinator address', () => {
    const { argv, endpoint } = slurmWorkerArgv(
      { bound: 'tcp://0.0.0.0:6000', group: { count: 2 }, snig: ['/usr/bin/node', '/opt/snig/cli/main.js'], job, workerArgs: ['--engine', 'cpu'], log: pino({ level: 'silent' }) },
      allocation,
    );
    assert.equal(endpoint, 'tcp://node01:6000');
    assert.ok(argv.includes('--ntasks=6'));
    const worker = argv.indexOf('worker');
    assert.deepEqual(argv.slice(worker - 2), ['/usr/bin/node', '/opt/snig/cli/main.js', 'worker', '--connect', 'tcp://node01:6000', '--engine', 'cpu']);
  });
});

describe('sbatch script', () => {
  it('asks for the configured allocation and runs the config, quoting what needs it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'snig-slurm-script-'));
    try {
      const script = renderSlurmScript({
        job: slurmJobSchema.parse({ nodes: 2, gpusPerNode: 4, time: '02:30:00', partition: 'gpu', account: 'proj', sbatch: ['--qos=debug'] }),
        tasksPerNode: 4,
        command: ['/usr/bin/node', '/opt/snig/cli/main.js', 'run', "/home/u/my runs/it's.yaml"],
        workdir: '/home/u/my runs',
        output: '/home/u/my out/slurm-%j.out',
        note: ['written by a test'],
      });
      const lines = script.split('\n');
      assert.equal(lines[0], '#!/bin/bash');
      for (const option of ['--nodes=2', '--ntasks-per-node=4', '--gpus-per-node=4', '--time=02:30:00', '--partition=gpu', '--account=proj', '--qos=debug', "--output='/home/u/my out/slurm-%j.out'"]) {
        assert.ok(lines.includes(`#SBATCH ${option}`), option);
      }
      const path = join(dir, 'run.sbatch');
      writeFileSync(path, script);
      execFileSync('bash', ['-n', path]);
      // The exec line, run through bash with echo, gives back the exact argv.
      const exec = lines.find((line) => line.startsWith('exec '))!;
      const echoed = execFileSync('bash', ['-c', `printf '%s\\n' ${exec.slice('exec '.length)}`], { encoding: 'utf8' });
      assert.deepEqual(echoed.trimEnd().split('\n'), ['/usr/bin/node', '/opt/snig/cli/main.js', 'run', "/home/u/my runs/it's.yaml"]);
      assert.equal(shellQuote('plain/path-1.yaml'), 'plain/path-1.yaml');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a malformed time limit, naming the field', () => {
    const parsed = slurmJobSchema.safeParse({ time: '2 hours' });
    assert.equal(parsed.success, false);
    assert.deepEqual(parsed.error?.issues[0]?.path, ['time']);
  });
});

describe('example configs', () => {
  it('loads the Slurm example with its allocation', () => {
    const config = loadConfig('configs/slurm-gpus.yaml');
    assert.equal(config.workers[0]?.launch, 'slurm');
    assert.deepEqual([config.slurm?.nodes, config.slurm?.gpusPerNode], [4, 4]);
    const plan = planWorkers(config.workers[0]!, { ...allocation, nodes: 4, gpusPerNode: 4 });
    assert.deepEqual(plan, { nodes: 4, tasksPerNode: 4, gpusPerTask: 1 });
  });
});
