// The entry point of the workers that `snig run` starts on its own machine: `snig worker` without
// the command line (yargs and every other command's modules: about half of a worker's process start,
// which the run waits for). It is handed two lines of JSON on stdin. The first: its settings, checked
// by the same schema as `snig worker`'s flags, with the environment it is to run in and the files it
// may open before the welcome (common/preload.ts), which it starts opening at once. The second, once
// the coordinator has bound its socket: the endpoint to connect to. A process started before the run
// was configured (cli/early-worker.ts) waits for those lines; a stdin that ends first means it is not
// needed. After them, stdin stays open for the whole run: its end means that `snig run` has ended
// (even killed with -9), so its coordinator is gone and the worker leaves at once, releasing its GPUs.
import { createInterface } from 'node:readline';

import { preloadSchema } from '../common/preload.js';
import { engineOverrides, runWorker, workerArgs } from './commands/worker.js';
import { startPreload, type Preloading } from '../worker/agent.js';
import { EXIT } from '../common/exit-codes.js';

// The first local worker's output goes through `snig run` into its log; once that process is gone,
// what is left to say is lost rather than fatal (EPIPE).
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

const stdin = createInterface({ input: process.stdin });
const ended = new AbortController();
stdin.once('close', () => ended.abort());
const lines = stdin[Symbol.asyncIterator]();
/** The next line of JSON on stdin; undefined once stdin has ended. */
const next = async <T>(): Promise<T | undefined> => {
  const line = await lines.next();
  return line.done ? undefined : (JSON.parse(line.value as string) as T);
};

let preloading: Preloading | undefined;
let working = false; // the agent owns the preloaded workload from here
try {
  const given = await next<{ env?: Record<string, string>; preload?: unknown }>();
  if (given !== undefined) {
    const { env, preload, ...options } = given;
    Object.assign(process.env, env); // before anything reads it: CUDA_VISIBLE_DEVICES, the CURVE keys
    const settings = workerArgs.omit({ connect: true }).parse(options);
    preloading = preload === undefined ? undefined : startPreload(preloadSchema.parse(preload), engineOverrides(settings));
    const endpoint = await next<{ connect: string }>();
    if (endpoint !== undefined) {
      working = true;
      const connect = workerArgs.shape.connect.parse(endpoint.connect); // the settings were checked above
      process.exitCode = await runWorker({ ...settings, connect }, { preload: preloading, ended: ended.signal });
    }
  }
} catch (error) {
  process.stderr.write(`snig worker: ${(error as Error).message}\n`);
  process.exitCode = EXIT.usage;
} finally {
  if (!working) (await preloading?.workload)?.close(); // the run ended before its coordinator listened
  stdin.close(); // the process exits when its work is done, not when `snig run` closes its stdin
}
