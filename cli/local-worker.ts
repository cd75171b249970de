// The entry point of the workers that `snig run` starts on its own machine: `snig worker` without
// the command line (yargs and every other command's modules: about half of a worker's process start,
// which the run waits for). Its options come as one JSON object, checked by the same schema as
// `snig worker`'s flags: as the argument, or, for a process started before the run was configured
// (cli/early-worker.ts), as its stdin, with the environment it is to run in; an empty stdin means
// it is not needed. With them may come the files to open before the welcome (common/preload.ts).
import { text } from 'node:stream/consumers';

import { preloadSchema } from '../common/preload.js';
import { runWorker, workerArgs } from './commands/worker.js';
import { EXIT } from './exit-codes.js';

try {
  const given = process.argv[2] ?? (await text(process.stdin));
  if (given.trim() !== '') {
    const { env, preload, ...options } = JSON.parse(given) as { env?: Record<string, string>; preload?: unknown };
    Object.assign(process.env, env); // before anything reads it: CUDA_VISIBLE_DEVICES, the CURVE keys
    process.exitCode = await runWorker(workerArgs.parse(options), preload === undefined ? undefined : preloadSchema.parse(preload));
  }
} catch (error) {
  process.stderr.write(`snig worker: ${(error as Error).message}\n`);
  process.exitCode = EXIT.usage;
}
