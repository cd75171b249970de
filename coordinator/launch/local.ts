// The `local` launcher: starts the run's local workers as child processes of `snig run`, each
// with its own GPU subset, its log in <out>/workers/<name>.log, and tells the coordinator when one
// exits so its shards go back at once. A worker gets its settings (and starts opening the files the
// run names) before the coordinator has bound its socket; the endpoint follows (cli/local-worker.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, createWriteStream, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';

import type { KeyPair } from '../../common/config/keys.js';
import type { RunConfig, WorkerGroup } from '../../common/config/schema.js';
import type { Preload } from '../../common/preload.js';
import type { CommandLine } from './commands.js';
import { gpuSubsets } from './gpu-subsets.js';
import { workerSettings } from './worker-args.js';

export interface LocalWorker {
  name: string;
  pid: number;
  gpus: number[]; // its CUDA_VISIBLE_DEVICES (empty: not restricted)
}

export interface LocalLaunchOptions {
  /** Starts a worker process that waits for its settings on stdin (LaunchCommands.localWorker). */
  command: CommandLine;
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
  /** A worker process started before the run was configured, waiting for its settings (cli/early-worker.ts): the first local worker. */
  early?: ChildProcess;
  /** What the workers of a group (by index) may open before their welcome (common/preload.ts). */
  preload: (group: number) => Preload | undefined;
}

/** A worker process of its own, its output in its log file, waiting for its settings on stdin. */
function spawnWorker(command: CommandLine, logFile: string): ChildProcess {
  const [node, ...entry] = command;
  const log = openSync(logFile, 'a');
  const child = spawn(node, entry, { stdio: ['pipe', log, log] });
  closeSync(log);
  return child;
}

/**
 * Gives a waiting worker process a line of JSON on its stdin: its settings and environment, then
 * the endpoint. Stdin then stays open while this process lives: its end tells the worker that the
 * run is gone, even when this process is killed with -9 (cli/local-worker.ts).
 */
function handOver(child: ChildProcess, message: object): void {
  child.stdin?.write(`${JSON.stringify(message)}\n`);
}

export class LocalLauncher {
  private readonly children = new Map<string, ChildProcess>();
  private early?: ChildProcess;
  private connected = false;
  readonly workers: LocalWorker[] = [];

  constructor(private readonly options: LocalLaunchOptions) {
    this.early = options.early;
  }

  start(): LocalWorker[] {
    const { options } = this;
    const logs = join(options.out, 'workers');
    mkdirSync(logs, { recursive: true });
    const nonce = randomBytes(3).toString('hex');
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
        const settings = { name, ...workerSettings(options, groupIndex, options.logLevel), preload: options.preload(groupIndex) };
        const env: Record<string, string> = {};
        if (subset.length > 0) env.CUDA_VISIBLE_DEVICES = subset.join(',');
        if (pair && options.curve) {
          env.SNIG_WORKER_KEY = JSON.stringify(pair);
          env.SNIG_SERVER_KEY = options.curve.serverKey;
        }
        const logFile = join(logs, `${name}.log`);
        const child = this.takeEarly(logFile) ?? spawnWorker(options.command, logFile);
        child.stdin?.on('error', () => undefined); // it died meanwhile: its exit is reported as any worker's
        handOver(child, { ...settings, env });
        this.children.set(name, child);
        this.workers.push({ name, pid: child.pid ?? -1, gpus: subset });
        child.on('exit', (code, signal) => {
          this.children.delete(name);
          options.onExit(name, signal ? `signal ${signal}` : `exit code ${code}`, logFile);
        });
      }
    }
    this.early?.stdin?.end(); // not needed: an empty stdin ends it
    this.early = undefined;
    return this.workers;
  }

  /** The early process, if it still waits, as this worker: its output goes into the log. */
  private takeEarly(logFile: string): ChildProcess | undefined {
    const early = this.early;
    this.early = undefined;
    if (!early?.stdin || !early.stdout || !early.stderr || early.pid === undefined || early.exitCode !== null || early.signalCode !== null) return undefined;
    const log = createWriteStream(logFile, { flags: 'a' });
    early.stdout.pipe(log, { end: false });
    early.stderr.pipe(log, { end: false });
    early.once('close', () => log.end());
    return early;
  }

  /** Tells every worker started where the coordinator listens: they connect. */
  connect(endpoint: string): void {
    this.connected = true;
    for (const child of this.children.values()) handOver(child, { connect: endpoint });
  }

  /** Local workers still running. */
  running(): number {
    return this.children.size;
  }

  /**
   * Waits for every worker to exit (they were sent `finish`; those never told the endpoint find their
   * stdin ended), then terminates stragglers. Idempotent.
   */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.connected) for (const child of this.children.values()) child.stdin?.end();
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
