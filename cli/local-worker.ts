// The entry point of the workers that `snig run` starts on its own machine: `snig worker` without
// the command line (yargs and every other command's modules: about half of a worker's process start,
// which the run waits for). Its settings come on stdin as one line of JSON, checked by the same
// schema as `snig worker`'s flags, with the environment it is to run in and the files it may open
// before the welcome (common/preload.ts). A process started before the run was configured
// (cli/early-worker.ts) waits for that line; a stdin that ends without one means it is not needed.
// After the line, stdin stays open for the whole run: its end means that `snig run` has ended (even
// killed with -9), so its coordinator is gone and the worker leaves at once, releasing its GPUs.
import { createInterface } from 'node:readline';

import { preloadSchema } from '../common/preload.js';
import { runWorker, workerArgs } from './commands/worker.js';
import { EXIT } from '../common/exit-codes.js';

// The first local worker's output goes through `snig run` into its log; once that process is gone,
// what is left to say is lost rather than fatal (EPIPE).
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

const stdin = createInterface({ input: process.stdin });
const ended = new AbortController();
const line = new Promise<string | undefined>((resolve) => {
  stdin.once('line', resolve);
  stdin.once('close', () => {
    resolve(undefined);
    ended.abort();
  });
});

try {
  const given = await line;
  if (given !== undefined) {
    const { env, preload, ...options } = JSON.parse(given) as { env?: Record<string, string>; preload?: unknown };
    Object.assign(process.env, env); // before anything reads it: CUDA_VISIBLE_DEVICES, the CURVE keys
    const settings = workerArgs.parse(options);
    process.exitCode = await runWorker(settings, { preload: preload === undefined ? undefined : preloadSchema.parse(preload), ended: ended.signal });
  }
} catch (error) {
  process.stderr.write(`snig worker: ${(error as Error).message}\n`);
  process.exitCode = EXIT.usage;
} finally {
  stdin.close(); // the process exits when its work is done, not when `snig run` closes its stdin
}
