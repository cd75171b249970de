// Options shared by the commands that take a model and inputs (`infer`, `run`, ...).
import type { Argv } from 'yargs';

export function withModelOptions<T>(yargs: Argv<T>, required = true) {
  return yargs
    .option('model', { type: 'string', demandOption: required, describe: 'binary model file, or directory of n<N>-l<k>.tsv[.gz] files' })
    .option('bias', { type: 'number', describe: "bias of every layer (default: the challenge's for N = 1024/4096/16384/65536)" })
    .option('layers', { type: 'number', describe: 'layers to use (default: every layer file present)' })
    .option('threads', { type: 'number', default: 0, describe: 'CPU threads (0: all)' });
}

export function withInputOptions<T>(yargs: Argv<T>) {
  return yargs
    .option('input', { type: 'string', demandOption: true, describe: 'input rows: sparse-images-<N>.tsv[.gz] or binary inputs (snig convert --inputs)' })
    .option('truth', { type: 'string', describe: 'categories file to verify against' });
}

export function withEngineOptions<T>(yargs: Argv<T>) {
  return yargs
    .option('engine', { choices: ['auto', 'cpu', 'cuda'] as const, default: 'auto' as const, describe: 'inference engine' })
    .option('kernel', { type: 'string', default: 'auto', describe: 'CUDA kernel (auto picks the fastest correct one; snig is the baseline)' })
    .option('gpus', { type: 'string', describe: 'comma-separated CUDA devices (default: all visible)' })
    .option('weights', {
      choices: ['auto', 'resident', 'streamed', 'partitioned'] as const,
      default: 'auto' as const,
      describe: 'CUDA weights: resident per GPU, streamed from host memory, or layers split across GPUs',
    });
}

export function parseGpuList(text: string | undefined): number[] | undefined {
  if (text === undefined || text === '') return undefined;
  return text.split(',').map((part) => {
    const id = Number(part.trim());
    if (!Number.isInteger(id) || id < 0) throw new Error(`--gpus "${text}": "${part}" is not a device number`);
    return id;
  });
}
