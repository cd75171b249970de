// The Slurm allocation `snig run` finds itself in (from the environment Slurm gives a batch script).
import { hostname } from 'node:os';

export interface SlurmAllocation {
  jobId: string;
  nodes: number;
  /** GPUs on each node of the allocation (0 when none were asked for). */
  gpusPerNode: number;
  /** CPUs Slurm gave this node. */
  cpusOnNode: number;
  /** This node's hostname: the first of the allocation, where the batch script and the coordinator run. */
  host: string;
}

/** `launch: slurm` outside a Slurm allocation. */
export class NotInAllocationError extends Error {
  constructor() {
    super(
      'launch: slurm needs a Slurm allocation (SLURM_JOB_ID is not set): submit the run with sbatch ' +
        '(`snig slurm-script <config>` writes the script) or run it inside salloc',
    );
    this.name = 'NotInAllocationError';
  }
}

function count(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  // Slurm writes counts such as "2", "2(x3)" (per-node lists) or "gpu:4"; the first number is ours.
  const match = /(\d+)/.exec(raw.includes(':') ? raw.slice(raw.lastIndexOf(':') + 1) : raw);
  if (!match?.[1]) throw new Error(`${name}=${raw}: not a count`);
  return Number(match[1]);
}

/** The allocation described by Slurm's environment variables; throws NotInAllocationError outside one. */
export function readAllocation(env: NodeJS.ProcessEnv = process.env): SlurmAllocation {
  const jobId = env.SLURM_JOB_ID ?? env.SLURM_JOBID;
  if (!jobId) throw new NotInAllocationError();
  return {
    jobId,
    nodes: count(env, 'SLURM_JOB_NUM_NODES', count(env, 'SLURM_NNODES', 1)),
    gpusPerNode: count(env, 'SLURM_GPUS_ON_NODE', count(env, 'SLURM_GPUS_PER_NODE', 0)),
    cpusOnNode: count(env, 'SLURM_CPUS_ON_NODE', 1),
    host: hostname(),
  };
}
