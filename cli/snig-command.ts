// The argv that runs this installation's `snig` CLI in a new process (Slurm tasks, local workers,
// the sbatch script): the built cli/*.js, or cli/*.ts through tsx when running from sources.
// Absolute paths, so it works from any directory and on any node that sees this filesystem.
import { fileURLToPath } from 'node:url';

import type { CommandLine, LaunchCommands } from '../coordinator/launch/commands.js';

/** `entry` (a module of cli/, without its extension) run by node, built or through tsx. */
function cliEntry(entry: string): CommandLine {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    return [process.execPath, '--import', import.meta.resolve('tsx'), fileURLToPath(new URL(`./${entry}.ts`, here))];
  }
  return [process.execPath, fileURLToPath(new URL(`./${entry}.js`, here))];
}

/** The `snig` CLI itself (cli/main), for srun tasks and the sbatch script: a command and its arguments follow. */
export function snigCommand(): CommandLine {
  return cliEntry('main');
}

/** A local worker of `snig run`: `snig worker` without the command line (cli/local-worker.ts); its settings, then the endpoint, as lines of JSON on stdin. */
export function localWorkerCommand(): CommandLine {
  return cliEntry('local-worker');
}

/** What a run launches, for runCluster. */
export function launchCommands(): LaunchCommands {
  return { localWorker: localWorkerCommand(), snig: snigCommand() };
}
