// The entry point of the workers that `snig run` starts on its own machine: `snig worker` without
// the command line (yargs and every other command's modules: about a third of a worker's process
// start, which the run waits for). Its options come as one JSON argument, checked by the same
// schema as `snig worker`'s flags.
import { runWorker, workerArgs } from './commands/worker.js';
import { EXIT } from './exit-codes.js';

try {
  process.exitCode = await runWorker(workerArgs.parse(JSON.parse(process.argv[2] ?? '')));
} catch (error) {
  process.stderr.write(`snig worker: ${(error as Error).message}\n`);
  process.exitCode = EXIT.usage;
}
