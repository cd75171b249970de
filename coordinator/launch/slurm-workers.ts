// Where the workers of a `launch: slurm` group go in the allocation, and the srun command that starts
// them: one srun step, K tasks per node (K workers per node, or one worker per GPU group).
import { readAllocation, type SlurmAllocation } from './slurm-allocation.js';
import type { SlurmJob } from '../../common/config/slurm.js';

export interface SlurmWorkerPlan {
  nodes: number;
  tasksPerNode: number;
  gpusPerTask: number; // 0: CPU workers
}

/** Workers per node: `count` of them, or, with `gpusPerWorker`, one per that many GPUs of the node. */
export function planWorkers(group: { count: number; gpusPerWorker?: number }, allocation: SlurmAllocation): SlurmWorkerPlan {
  if (group.gpusPerWorker === undefined) {
    return { nodes: allocation.nodes, tasksPerNode: group.count, gpusPerTask: 0 };
  }
  const tasksPerNode = Math.floor(allocation.gpusPerNode / group.gpusPerWorker);
  if (tasksPerNode < 1) {
    throw new Error(
      `workers: gpusPerWorker is ${group.gpusPerWorker} but Slurm job ${allocation.jobId} has ` +
        `${allocation.gpusPerNode} GPUs per node (ask for them with slurm.gpusPerNode / --gpus-per-node)`,
    );
  }
  return { nodes: allocation.nodes, tasksPerNode, gpusPerTask: group.gpusPerWorker };
}

/** The srun argv (without the worker command) for a plan. Slurm sets CUDA_VISIBLE_DEVICES per task. */
export function srunArgs(plan: SlurmWorkerPlan, job: Pick<SlurmJob, 'cpusPerWorker' | 'jobName'>): string[] {
  const args = [
    `--nodes=${plan.nodes}`,
    `--ntasks=${plan.nodes * plan.tasksPerNode}`,
    `--ntasks-per-node=${plan.tasksPerNode}`,
    `--job-name=${job.jobName}-workers`,
    // A worker that fails or loses its node must not take the others down: the coordinator reassigns.
    '--kill-on-bad-exit=0',
    '--no-kill',
    '--export=ALL',
  ];
  if (plan.gpusPerTask > 0) args.push(`--gpus-per-task=${plan.gpusPerTask}`);
  if (job.cpusPerWorker !== undefined) args.push(`--cpus-per-task=${job.cpusPerWorker}`);
  return args;
}

/** The address workers dial: the bound endpoint with a wildcard host replaced by this node's name. */
export function advertisedEndpoint(bound: string, host: string): string {
  const match = /^tcp:\/\/(.+):(\d+)$/.exec(bound);
  if (!match) throw new Error(`coordinator endpoint ${bound}: expected tcp://host:port`);
  const boundHost = match[1];
  const wildcard = boundHost === '*' || boundHost === '0.0.0.0' || boundHost === '[::]' || boundHost === '::';
  return `tcp://${wildcard ? host : boundHost}:${match[2]}`;
}

/** How many workers a `launch: slurm` group will start in this allocation (throws outside one). */
export function slurmWorkerCount(group: { count: number; gpusPerWorker?: number }, allocation: SlurmAllocation = readAllocation()): number {
  const plan = planWorkers(group, allocation);
  return plan.nodes * plan.tasksPerNode;
}
