// The `slurm` launcher: inside an allocation, one srun step starts the workers of a `launch: slurm`
// group on every node (K per node, or one per GPU group); each dials the coordinator on this node
// (workers name themselves host-pid, unique across nodes).
import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';

import type { CommandLine } from './commands.js';
import { readAllocation, type SlurmAllocation } from './slurm-allocation.js';
import type { SlurmJob } from '../../common/config/slurm.js';
import { advertisedEndpoint, planWorkers, srunArgs, type SlurmWorkerPlan } from './slurm-workers.js';

export interface SlurmLaunchOptions {
  /** The endpoint the coordinator bound (a wildcard host is replaced by this node's name). */
  bound: string;
  group: { count: number; gpusPerWorker?: number };
  /** The snig CLI each task runs (LaunchCommands.snig). */
  snig: CommandLine;
  job: SlurmJob;
  /** `snig worker` arguments other than --connect and --name (engine, threads, retries, ...). */
  workerArgs: string[];
  log: Logger;
  allocation?: SlurmAllocation; // default: read from the environment
  srun?: string; // default: srun from PATH
}

export interface SlurmWorkers {
  plan: SlurmWorkerPlan;
  endpoint: string;
  /** Resolves when the srun step ends (all its tasks exited). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Waits graceMs for the step to end, then ends it (SIGTERM, SIGKILL after as long again); idempotent. */
  stop(graceMs?: number): Promise<void>;
}

/** The full argv of the srun step (testable without starting it). */
export function slurmWorkerArgv(options: SlurmLaunchOptions, allocation: SlurmAllocation): { plan: SlurmWorkerPlan; endpoint: string; argv: string[] } {
  const plan = planWorkers(options.group, allocation);
  const endpoint = advertisedEndpoint(options.bound, options.job.coordinatorHost ?? allocation.host);
  const worker = [...options.snig, 'worker', '--connect', endpoint, ...options.workerArgs];
  return { plan, endpoint, argv: [...srunArgs(plan, options.job), ...worker] };
}

/** Starts the group's workers in one srun step; its handle says when the step ends and stops it. */
export function launchSlurmWorkers(options: SlurmLaunchOptions): SlurmWorkers {
  const allocation = options.allocation ?? readAllocation();
  const { plan, endpoint, argv } = slurmWorkerArgv(options, allocation);
  options.log.info({ job: allocation.jobId, nodes: plan.nodes, tasksPerNode: plan.tasksPerNode, gpusPerTask: plan.gpusPerTask, endpoint }, 'starting Slurm workers with srun');
  const child: ChildProcess = spawn(options.srun ?? 'srun', argv, { stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', (error) => {
      options.log.error({ err: error }, 'srun could not be started');
      resolve({ code: null, signal: null });
    });
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 5_000): Promise<void> => {
    stopping ??= (async () => {
      // Workers leave by themselves once the coordinator says the run is over; a step still running
      // after graceMs gets SIGTERM (srun forwards it to the tasks), then SIGKILL after as long again.
      const term = setTimeout(() => child.kill('SIGTERM'), graceMs);
      const kill = setTimeout(() => child.kill('SIGKILL'), 2 * graceMs);
      await exited;
      clearTimeout(term);
      clearTimeout(kill);
    })();
    return stopping;
  };
  return { plan, endpoint, exited, stop };
}
