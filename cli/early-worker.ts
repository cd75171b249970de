// `snig run` waits for its local workers' node processes to start (0.3 s on the GPU machine), and
// they could only start after its own (0.5 s). So when a run will launch local workers, one worker
// process starts first, before the rest of the command line's modules load: it loads the worker's
// modules and waits for its settings on stdin (cli/local-worker.ts). The run's local launcher gives
// them to it, as its first local worker. A run without local workers (Slurm, manual) starts none:
// on a Slurm head node it would cost 0.3 s of CPU for nothing.
import { spawn, type ChildProcess } from 'node:child_process';

import { launchesLocalWorkers } from '../common/config/schema.js';
import { localWorkerCommand } from '../coordinator/launch/snig-command.js';
import { runArgs, runConfig } from './commands/run-args.js';
import { parseFlagsEarly } from './schema-flags.js';

let early: ChildProcess | undefined;

/**
 * Whether `snig <args>` is a run that launches local workers, read as the run command reads it.
 * Arguments that do not parse or a config that does not load give no: the run then fails, or, if
 * this reading missed, its launcher spawns the worker itself.
 */
export function wantsEarlyWorker(args: readonly string[]): boolean {
  const [command, ...rest] = args;
  if (command !== 'run' || rest.includes('--help') || rest.includes('--version')) return false;
  try {
    const parsed = parseFlagsEarly(runArgs, ['config'], rest);
    return parsed !== undefined && launchesLocalWorkers(runConfig(parsed));
  } catch {
    return false;
  }
}

/** Starts the worker process when the command line is a run that launches local workers. */
export function startEarlyWorker(args: readonly string[]): void {
  if (!wantsEarlyWorker(args)) return;
  const [node, ...entry] = localWorkerCommand();
  early = spawn(node, entry, { stdio: ['pipe', 'pipe', 'pipe'] });
  early.on('error', () => undefined); // a process that cannot start: the launcher spawns its own
}

/** The waiting worker process, once (undefined after, or when none was started). */
export function takeEarlyWorker(): ChildProcess | undefined {
  const taken = early;
  early = undefined;
  return taken;
}
