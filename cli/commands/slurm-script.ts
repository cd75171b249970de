// `snig slurm-script <config>`: writes an sbatch script for a run config (`snig run` in the job) or a
// suite config (`snig suite` in the job) whose workers are `launch: slurm` groups. The allocation comes
// from the `slurm:` section (a suite's is under `setup:`) and the flags here. Submit with `sbatch`.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { z } from 'zod';

import { writeFileAtomic } from '../../common/atomic-file.js';
import { ConfigError, invalid, loadConfig, readConfigFile, setField } from '../../common/config/load.js';
import { workerGroupSchema, type WorkerGroup } from '../../common/config/schema.js';
import { loadSuite } from '../../common/config/suite-load.js';
import { slurmJobSchema, type SlurmJob } from '../../common/config/slurm.js';
import { renderSlurmScript } from '../../coordinator/launch/slurm-script.js';
import { planWorkers } from '../../coordinator/launch/slurm-workers.js';
import { dottedPath } from '../../common/zod-issues.js';
import { defineCommand, overrides } from '../schema-flags.js';
import { snigCommand } from '../snig-command.js';

// The allocation's flags override the config's `slurm:` fields: their types and help come from that schema.
const { nodes, gpusPerNode, time, partition, account } = slurmJobSchema.shape;
const allocation = overrides({ nodes, gpusPerNode, time, partition, account });

const slurmScriptArgs = z.object({
  config: z.string().min(1).describe('run or suite config with launch: slurm worker groups'),
  script: z.string().min(1).optional().describe('where to write the script (default: <out>/<jobName>.sbatch)'),
  ...allocation,
});
type SlurmScriptArgs = z.output<typeof slurmScriptArgs>;

interface Target {
  command: 'run' | 'suite';
  job: SlurmJob;
  workers: WorkerGroup[];
  out: string;
}

/** The flags as `slurm.*` overrides. */
function slurmOverrides(args: SlurmScriptArgs): Array<[string, unknown]> {
  return (Object.keys(allocation) as Array<keyof typeof allocation>).flatMap((field) => (args[field] === undefined ? [] : [[`slurm.${field}`, args[field]] as [string, unknown]]));
}

function runTarget(file: string, overrides: Array<[string, unknown]>): Target {
  const config = loadConfig(file, overrides);
  return { command: 'run', job: config.slurm ?? slurmJobSchema.parse({}), workers: config.workers, out: config.out };
}

function suiteTarget(file: string, overrides: Array<[string, unknown]>): Target {
  const suite = loadSuite(file);
  const setup = structuredClone(suite.setup);
  for (const [field, value] of overrides) setField(setup, field, value);
  const parsed = z.object({ slurm: slurmJobSchema.prefault({}), workers: z.array(workerGroupSchema).min(1) }).safeParse(setup);
  if (!parsed.success) throw invalid(file, 'suite setup', parsed.error, (path) => `setup.${dottedPath(path)}`);
  return { command: 'suite', job: parsed.data.slurm, workers: parsed.data.workers, out: suite.out };
}

export const slurmScriptCommand = defineCommand({
  command: 'slurm-script <config>',
  describe: 'write an sbatch script that runs a run or suite config on a Slurm allocation (the allocation flags override its slurm: section)',
  args: slurmScriptArgs,
  positionals: { config: { type: 'string', describe: 'run or suite config with launch: slurm worker groups' } },
  examples: [['$0 slurm-script configs/slurm-gpus.yaml --partition gpu', 'writes out/slurm-gpus/snig.sbatch; submit it with sbatch']],
  handler: (args) => {
    const file = resolve(args.config);
    const target = 'benchmarks' in readConfigFile(file) ? suiteTarget(file, slurmOverrides(args)) : runTarget(file, slurmOverrides(args));
    const { job } = target;
    const groups = target.workers.filter((group) => group.launch === 'slurm');
    if (groups.length === 0) throw new ConfigError(`${file}: workers: no group has launch: slurm, so the job would start no workers`);
    // The allocation as the script asks for it: the same placement the launcher computes inside it.
    const asked = { jobId: '(submitted)', nodes: job.nodes, gpusPerNode: job.gpusPerNode, cpusOnNode: 0, host: '' };
    const tasksPerNode = groups.reduce((sum, group) => sum + planWorkers(group, asked).tasksPerNode, 0);
    mkdirSync(target.out, { recursive: true }); // Slurm writes its output file there and creates no directory
    const script = resolve(args.script ?? join(target.out, `${job.jobName}.sbatch`));
    writeFileAtomic(
      script,
      renderSlurmScript({
        job,
        tasksPerNode,
        command: [...snigCommand(), target.command, file],
        workdir: process.cwd(),
        output: join(target.out, `${job.jobName}-%j.out`),
        note: [`written by \`snig slurm-script ${args.config}\` on ${new Date().toISOString()}`, `submit with: sbatch ${script}`],
      }),
      0o755,
    );
    process.stdout.write(`${script}\nsubmit with: sbatch ${script}\n`);
  },
});
