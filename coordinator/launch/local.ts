// The `local` launcher: starts the run's local workers as child processes of `snig run`, each
// with its own GPU subset, its log in <out>/workers/<name>.log, and tells the coordinator when one
// exits so its shards go back at once.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';

import type { KeyPair } from '../../common/config/keys.js';
import type { RunConfig, WorkerGroup } from '../../common/config/schema.js';
import { gpuSubsets } from './gpu-subsets.js';
import { localWorkerCommand } from './snig-command.js';
import { workerSettings } from './worker-args.js';

export interface LocalWorker {
  name: string;
  pid: number;
  gpus: number[]; // its CUDA_VISIBLE_DEVICES (empty: not restricted)
}

export interface LocalLaunchOptions {
  endpoint: string;
  groups: readonly WorkerGroup[]; // the run's groups: the `launch: local` ones are started here
  /**
   * The GPUs this machine has, for groups that list none and split them between several workers.
   * Asked only then: it initialises CUDA (a fraction of a second on a GPU machine) before the
   * workers can start.
   */
  detectGpus: () => number[];
  worker: RunConfig['worker'];
  coordinator: Pick<RunConfig['coordinator'], 'maxMessageBytes'>;
  out: string;
  logLevel: string;
  curve?: { serverKey: string; pairs: KeyPair[] }; // one pair per local worker, in launch order
  onExit: (name: string, how: string, logFile: string) => void;
}

export class LocalLauncher {
  private readonly children = new Map<string, ChildProcess>();
  readonly workers: LocalWorker[] = [];

  constructor(private readonly options: LocalLaunchOptions) {}

  start(): LocalWorker[] {
    const { options } = this;
    const logs = join(options.out, 'workers');
    mkdirSync(logs, { recursive: true });
    const nonce = randomBytes(3).toString('hex');
    const [node, ...entry] = localWorkerCommand();
    let index = 0;
    for (const [groupIndex, group] of options.groups.entries()) {
      if (group.launch !== 'local') continue;
      // A lone worker of a group that names no GPUs sees them all: nothing to split, nothing to detect.
      const everyGpu = group.engine === 'cpu' || (!group.gpus && group.count === 1 && group.gpusPerWorker === undefined);
      const gpus = everyGpu ? [] : (group.gpus ?? options.detectGpus());
      const subsets = gpuSubsets(gpus, group.count, group.gpusPerWorker);
      for (const subset of subsets) {
        const name = `local-${index}-${nonce}`;
        const pair = options.curve?.pairs[index];
        index++;
        const args = [...entry, JSON.stringify({ connect: options.endpoint, name, ...workerSettings(options, groupIndex, options.logLevel) })];
        const env: NodeJS.ProcessEnv = { ...process.env };
        if (subset.length > 0) env.CUDA_VISIBLE_DEVICES = subset.join(',');
        if (pair && options.curve) {
          env.SNIG_WORKER_KEY = JSON.stringify(pair);
          env.SNIG_SERVER_KEY = options.curve.serverKey;
        }
        const logFile = join(logs, `${name}.log`);
        const log = openSync(logFile, 'a');
        const child = spawn(node, args, { env, stdio: ['ignore', log, log] });
        closeSync(log);
        this.children.set(name, child);
        this.workers.push({ name, pid: child.pid ?? -1, gpus: subset });
        child.on('exit', (code, signal) => {
          this.children.delete(name);
          options.onExit(name, signal ? `signal ${signal}` : `exit code ${code}`, logFile);
        });
      }
    }
    return this.workers;
  }

  /** Local workers still running. */
  running(): number {
    return this.children.size;
  }

  /** Waits for every worker to exit (they were sent `finish`), then terminates stragglers. Idempotent. */
  async stop(graceMs = 5000): Promise<void> {
    const waiting = [...this.children.values()].map((child) => new Promise<void>((resolve) => child.once('exit', () => resolve())));
    const timer = setTimeout(() => {
      for (const child of this.children.values()) child.kill('SIGTERM');
    }, graceMs);
    const killer = setTimeout(() => {
      for (const child of this.children.values()) child.kill('SIGKILL');
    }, graceMs * 2);
    await Promise.all(waiting);
    clearTimeout(timer);
    clearTimeout(killer);
  }
}
