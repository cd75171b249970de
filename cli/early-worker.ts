// `snig run` waits for its local workers' node processes to start (0.3 s on the GPU machine), and
// they could only start after its own (0.5 s). So for `snig run`, one worker process starts first,
// before the command line's modules load: it loads the worker's modules and waits for its options on
// stdin (cli/local-worker.ts). The run's local launcher gives them to it, as its first local worker;
// a run without one ends its stdin, and so the process.
import { spawn, type ChildProcess } from 'node:child_process';

import { localWorkerCommand } from '../coordinator/launch/snig-command.js';

let early: ChildProcess | undefined;

/** Starts the worker process when the command (the first argument) is `run`. */
export function startEarlyWorker(args: readonly string[]): void {
  if (args[0] !== 'run') return;
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
