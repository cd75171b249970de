// The sbatch script `snig slurm-script <config>` writes: the allocation the config's `slurm:` section
// asks for, and one line that runs `snig run <config>` inside it (the coordinator on the first node;
// the `launch: slurm` worker groups are started from there with srun).
import type { SlurmJob } from '../../common/config/slurm.js';

export interface SlurmScriptInput {
  job: SlurmJob;
  /** Worker tasks per node over all `launch: slurm` groups (the allocation's --ntasks-per-node). */
  tasksPerNode: number;
  /** The command that runs the config, argv form (e.g. node, cli/main.js, run, /abs/config.yaml). */
  command: string[];
  /** Directory the job runs in (relative paths of the command resolve from it). */
  workdir: string;
  /** Slurm's own output file (directory must exist). */
  output: string;
  /** Provenance comment lines. */
  note: string[];
}

/** Quotes one word for bash (single quotes; a quote inside becomes '\''). */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The sbatch script's text: #SBATCH options from the job, then the command, quoted for the shell. */
export function renderSlurmScript(input: SlurmScriptInput): string {
  const { job } = input;
  const options = [
    `--job-name=${job.jobName}`,
    `--nodes=${job.nodes}`,
    `--ntasks-per-node=${input.tasksPerNode}`,
    ...(job.gpusPerNode > 0 ? [`--gpus-per-node=${job.gpusPerNode}`] : []),
    `--time=${job.time}`,
    ...(job.partition ? [`--partition=${shellQuote(job.partition)}`] : []),
    ...(job.account ? [`--account=${shellQuote(job.account)}`] : []),
    ...(job.cpusPerWorker !== undefined ? [`--cpus-per-task=${job.cpusPerWorker}`] : []),
    `--output=${shellQuote(input.output)}`, // sbatch reads quotes in #SBATCH lines as bash would
    ...job.sbatch,
  ];
  return [
    '#!/bin/bash',
    ...input.note.map((line) => `# ${line}`),
    ...options.map((option) => `#SBATCH ${option}`),
    'set -euo pipefail',
    `cd ${shellQuote(input.workdir)}`,
    `exec ${input.command.map(shellQuote).join(' ')}`,
    '',
  ].join('\n');
}
