// `snig run` waits for its local workers' node processes to start (0.3 s on the GPU machine), and
// they could only start after its own (0.5 s). So when a run will launch local workers, one worker
// process starts first, before the rest of the command line's modules load: it loads the worker's
// modules and waits for its settings on stdin (cli/local-worker.ts). The run's local launcher gives
// them to it, as its first local worker. A run without local workers (Slurm, manual) starts none:
// on a Slurm head node it would cost 0.3 s of CPU for nothing. The decision needs the run's config,
// read and validated here once: the run command takes it (takeEarlyRun) instead of reading it again.
// Nothing here loads pino or yargs: only what reading the config needs (zod, yaml) comes before the spawn.
import { spawn, type ChildProcess } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';

import { launchesLocalWorkers, type RunConfig } from '../common/config/schema.js';
import { runArgs, runConfig, runOverrides, type RunArgs } from './commands/run-args.js';
import { parseFlagsEarly } from './schema-flags.js';
import { localWorkerCommand } from './snig-command.js';

/** A `snig run` command line read before the CLI loads: its arguments, its config (or why it is invalid), the worker started for it. */
interface EarlyRun {
  args: RunArgs;
  config: RunConfig | Error;
  worker?: ChildProcess;
}

let early: EarlyRun | undefined;

/** The run of `snig <args>`, read as the run command reads it; undefined for another command, for help, or for arguments that do not parse. */
function readRun(args: readonly string[]): EarlyRun | undefined {
  const [command, ...rest] = args;
  if (command !== 'run' || rest.includes('--help') || rest.includes('--version')) return undefined;
  const parsed = parseFlagsEarly(runArgs, ['config'], rest);
  if (!parsed) return undefined;
  try {
    return { args: parsed, config: runConfig(parsed) };
  } catch (error) {
    return { args: parsed, config: error as Error }; // the run command reports it
  }
}

/** Whether `snig run`'s config launches local workers (a config that does not load: no; the run then fails). */
function wantsWorker(run: EarlyRun | undefined): run is EarlyRun & { config: RunConfig } {
  return run !== undefined && !(run.config instanceof Error) && launchesLocalWorkers(run.config);
}

/**
 * Whether `snig <args>` is a run that launches local workers. Arguments that do not parse or a
 * config that does not load give no: the run then fails, or, if this reading missed, its launcher
 * spawns the worker itself.
 */
export function wantsEarlyWorker(args: readonly string[]): boolean {
  return wantsWorker(readRun(args));
}

/** Reads a `snig run` command line, and starts the worker process when the run launches local workers. */
export function startEarlyWorker(args: readonly string[]): void {
  early = readRun(args);
  if (!wantsWorker(early)) return;
  const [node, ...entry] = localWorkerCommand();
  early.worker = spawn(node, entry, { stdio: ['pipe', 'pipe', 'pipe'] });
  early.worker.on('error', () => undefined); // a process that cannot start: the launcher spawns its own
}

/**
 * The run's config, taken once: the one read before the CLI loaded when it was read from the same
 * arguments (else it is read now), and the waiting worker process, if one was started. An invalid
 * config throws its error here.
 */
export function takeEarlyRun(args: RunArgs): { config: RunConfig; worker?: ChildProcess } {
  const taken = early;
  early = undefined;
  const same = taken !== undefined && taken.args.config === args.config && isDeepStrictEqual(runOverrides(taken.args), runOverrides(args));
  const config = same ? taken.config : runConfig(args);
  if (config instanceof Error) throw config;
  return { config, worker: taken?.worker };
}
