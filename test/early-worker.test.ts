// Whether `snig run` starts its first local worker before the command line loads: only when the
// run, read as the command reads it (config file, then flags), launches local workers.
import assert from 'node:assert/strict';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { runArgs, runConfig } from '../cli/commands/run-args.js';
import { startEarlyWorker, takeEarlyRun, wantsEarlyWorker } from '../cli/early-worker.js';
import { ConfigError } from '../common/config/load.js';
import { launchesLocalWorkers } from '../common/config/schema.js';
import { root, tempDir, writeText } from './helpers.js';

const configs = join(root, 'configs');
const local = join(configs, 'local-cpu.yaml'); // launch: local
const slurm = join(configs, 'slurm-gpus.yaml'); // launch: slurm
const manual = join(configs, 'multi-node.yaml'); // launch: manual, three groups

describe('the early worker', () => {
  it('is wanted when a group is launched locally, and only then', () => {
    const group = (launch: 'local' | 'slurm' | 'manual') => ({ launch }) as never;
    assert.equal(launchesLocalWorkers({ workers: [group('manual'), group('local')] }), true);
    assert.equal(launchesLocalWorkers({ workers: [group('slurm'), group('manual')] }), false);
  });

  it('starts for a run of local workers, from a config file or from the flags alone', () => {
    assert.equal(wantsEarlyWorker(['run', local]), true);
    assert.equal(wantsEarlyWorker(['run', '--model', 'm', '--input', 'i', '--out', 'o']), true);
    assert.equal(wantsEarlyWorker(['run', '--model', 'm', '--input', 'i', '--out', 'o', '--workers', '3', '--engine', 'cpu']), true);
  });

  it('does not start for Slurm or manual workers, wherever the config is among the flags', () => {
    assert.equal(wantsEarlyWorker(['run', slurm]), false);
    assert.equal(wantsEarlyWorker(['run', manual]), false);
    assert.equal(wantsEarlyWorker(['run', local, '--set', 'workers.0.launch=manual']), false, '--set applies as in the run');
  });

  it('finds the config among the flags: a boolean flag takes no value, any other one does', () => {
    assert.equal(wantsEarlyWorker(['run', '--quiet', '--no-progress', local]), true);
    assert.equal(wantsEarlyWorker(['run', '--out', tempDir(), '--shard-rows', '64', '--gpus', '0,1', local]), true);
    assert.equal(wantsEarlyWorker(['run', '--resume', '--log-format=json', manual]), false);
  });

  it('a local group added by --set starts one; so does a Slurm config turned local', () => {
    assert.equal(wantsEarlyWorker(['run', manual, '--set', 'workers.3.launch=local']), true);
    assert.equal(wantsEarlyWorker(['run', slurm, '--set', 'workers.0.launch=local']), true);
  });

  it('does not start for other commands, for help, or for a command line the run will refuse', () => {
    assert.equal(wantsEarlyWorker(['infer', '--model', 'm', '--input', 'i']), false);
    assert.equal(wantsEarlyWorker(['run', local, '--help']), false);
    assert.equal(wantsEarlyWorker(['run', join(tempDir(), 'missing.yaml')]), false);
    assert.equal(wantsEarlyWorker(['run', writeText(join(tempDir(), 'bad.yaml'), 'model: m\nworkers: 3\n')]), false);
    assert.equal(wantsEarlyWorker(['run', local, '--workers', 'many']), false);
  });

  it('reads the config once: the run takes what was read from its arguments, and reads again only for other ones', () => {
    const path = join(tempDir(), 'multi-node.yaml'); // manual workers: no process is started
    copyFileSync(manual, path);
    const expected = runConfig({ config: path });
    startEarlyWorker(['run', path, '--quiet']);
    rmSync(path); // a second reading would fail
    const taken = takeEarlyRun(runArgs.parse({ config: path, quiet: true }));
    assert.deepEqual(taken, { config: expected, worker: undefined });
    // Taken once; other arguments (or none read early) are read now.
    assert.throws(() => takeEarlyRun(runArgs.parse({ config: path })), (error: Error) => error instanceof ConfigError && error.message.startsWith(`${path}: cannot read`));
    startEarlyWorker(['run', manual]);
    assert.equal(takeEarlyRun(runArgs.parse({ config: manual, shardRows: 64 })).config.shards.maxRows, 64, 'another flag: read again');
  });

  it('an invalid config read early is the run\'s error, as if read then', () => {
    const bad = writeText(join(tempDir(), 'bad.yaml'), 'model: m\nworkers: 3\n');
    let direct: unknown;
    try {
      runConfig({ config: bad });
    } catch (error) {
      direct = error;
    }
    startEarlyWorker(['run', bad]);
    assert.throws(() => takeEarlyRun(runArgs.parse({ config: bad })), (error: Error) => error instanceof ConfigError && error.message === (direct as Error).message && /workers/.test(error.message));
  });
});
