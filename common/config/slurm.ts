// The `slurm:` section of a run config: the allocation an sbatch script asks for (`snig slurm-script`)
// and how workers are placed in it (`launch: slurm` worker groups under `snig run`).
import { z } from 'zod';

const positiveInt = z.number().int().positive();

export const slurmJobSchema = z
  .object({
    nodes: positiveInt.default(1).describe('nodes of the allocation'),
    gpusPerNode: z.number().int().nonnegative().default(0).describe('GPUs per node'),
    // Slurm's time formats: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS.
    time: z
      .string()
      .regex(/^(\d+-)?\d+(:\d{2}){0,2}$/, 'a Slurm time limit such as 30, 01:00:00 or 1-12:00:00')
      .default('01:00:00')
      .describe('time limit, e.g. 01:00:00'),
    partition: z.string().min(1).optional().describe('partition'),
    account: z.string().min(1).optional().describe('account'),
    jobName: z.string().regex(/^[\w.-]+$/, 'letters, digits, ".", "_" or "-"').default('snig'),
    cpusPerWorker: positiveInt.optional(),
    // Host name the workers use to reach the coordinator (default: the first node's hostname).
    coordinatorHost: z.string().min(1).optional(),
    // Extra `#SBATCH` options, verbatim (e.g. "--qos=debug", "--constraint=h100").
    sbatch: z.array(z.string().regex(/^--?\w[^\n]*$/, 'an sbatch option such as --qos=debug')).default([]),
  })
  .strict();

export type SlurmJob = z.output<typeof slurmJobSchema>;
