// `snig slurm-script <config>`: writes an sbatch script for a run config with `launch: slurm` worker
// groups; the allocation comes from the config's `slurm:` section (nodes, GPUs per node, time,
// partition, ...) and the flags here. Submit it with `sbatch <script>`.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

import type { CommandModule } from 'yargs';

import { writeFileAtomic } from '../../common/config/atomic-file.js';
import { ConfigError, loadConfig, readConfigFile } from '../../common/config/load.js';
import { slurmJobSchema } from '../../coordinator/launch/slurm-options.js';
import { renderSlurmScript } from '../../coordinator/launch/slurm-script.js';
import { planWorkers } from '../../coordinator/launch/slurm-workers.js';
import { snigCommand } from '../../coordinator/suite/snig-command.js';

interface SlurmScriptArgs {
  config: string;
  script?: string;
  nodes?: number;
  'gpus-per-node'?: number;
  time?: string;
  partition?: string;
  account?: string;
}

/** The config's `slurm:` section with the flags applied, validated (errors name file and field). */
function slurmJob(file: string, args: SlurmScriptArgs) {
  const section = readConfigFile(file).slurm ?? {};
  const flags = { nodes: args.nodes, gpusPerNode: args['gpus-per-node'], time: args.time, partition: args.partition, account: args.account };
  const merged = { ...(section as object), ...Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)) };
  const parsed = slurmJobSchema.safeParse(merged);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  slurm.${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`${file}: invalid slurm section\n${lines.join('\n')}`);
}

export const slurmScriptCommand: CommandModule<object, SlurmScriptArgs> = {
  command: 'slurm-script <config>',
  describe: 'write an sbatch script that runs a config on a Slurm allocation',
  builder: (yargs) =>
    yargs
      .positional('config', { type: 'string', demandOption: true, describe: 'run config with launch: slurm worker groups' })
      .option('script', { type: 'string', describe: 'where to write the script (default: <out>/<jobName>.sbatch)' })
      .option('nodes', { type: 'number', describe: 'nodes (overrides slurm.nodes)' })
      .option('gpus-per-node', { type: 'number', describe: 'GPUs per node (overrides slurm.gpusPerNode)' })
      .option('time', { type: 'string', describe: 'time limit, e.g. 01:00:00 (overrides slurm.time)' })
      .option('partition', { type: 'string', describe: 'partition (overrides slurm.partition)' })
      .option('account', { type: 'string', describe: 'account (overrides slurm.account)' }),
  handler: (args) => {
    const file = resolve(args.config);
    const job = slurmJob(file, args);
    const config = loadConfig(file);
    const groups = config.workers.filter((group: { launch: string }) => group.launch === 'slurm');
    if (groups.length === 0) throw new ConfigError(`${file}: workers: no group has launch: slurm, so the job would start no workers`);
    // The allocation as the script will ask for it: the same placement the launcher computes inside it.
    const asked = { jobId: '(submitted)', nodes: job.nodes, gpusPerNode: job.gpusPerNode, cpusOnNode: 0, host: '' };
    const tasksPerNode = groups.reduce((sum, group) => sum + planWorkers(group, asked).tasksPerNode, 0);
    mkdirSync(config.out, { recursive: true }); // Slurm writes its output file there and creates no directory
    const script = resolve(args.script ?? join(config.out, `${job.jobName}.sbatch`));
    writeFileAtomic(
      script,
      renderSlurmScript({
        job,
        tasksPerNode,
        command: [...snigCommand(), 'run', file],
        workdir: process.cwd(),
        output: join(config.out, `${job.jobName}-%j.out`),
        note: [`written by \`snig slurm-script ${args.config}\` on ${new Date().toISOString()}`, `submit with: sbatch ${script}`],
      }),
      0o755,
    );
    process.stdout.write(`${script}\nsubmit with: sbatch ${script}\n`);
  },
};
