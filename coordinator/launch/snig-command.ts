// The argv that runs this installation's `snig` CLI in a new process (a suite's runs, the generator,
// Slurm tasks): the built cli/main.js, or cli/main.ts through tsx when running from sources. Absolute
// paths, so it works from any directory and on any node that sees this filesystem.
import { fileURLToPath } from 'node:url';

/** `entry` (a module under cli/, without its extension) run by node, built or through tsx. */
function cliEntry(entry: string): [node: string, ...args: string[]] {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    return [process.execPath, '--import', import.meta.resolve('tsx'), fileURLToPath(new URL(`../../cli/${entry}.ts`, here))];
  }
  return [process.execPath, fileURLToPath(new URL(`../../cli/${entry}.js`, here))];
}

export function snigCommand(): [node: string, ...args: string[]] {
  return cliEntry('main');
}

/** A local worker of `snig run`: `snig worker` without the command line (cli/local-worker.ts); its options as one JSON argument. */
export function localWorkerCommand(): [node: string, ...args: string[]] {
  return cliEntry('local-worker');
}
