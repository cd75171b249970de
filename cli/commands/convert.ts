// `snig convert`: a model (either format) to the binary model format, or input rows (TSV, plain or
// gzipped) to the binary input format. Both are written atomically.
import type { CommandModule } from 'yargs';

import { neuronsFromName, openInputs, openModel } from '../../common/data.js';
import { native } from '../../common/native.js';
import { withModelOptions } from './options.js';

interface ConvertArgs {
  model?: string;
  inputs?: string;
  neurons?: number;
  bias?: number;
  layers?: number;
  threads: number;
  out: string;
}

const elapsed = (start: number): string => `${((performance.now() - start) / 1000).toFixed(2)} s`;

async function convertModel(args: ConvertArgs & { model: string }, start: number): Promise<string> {
  const model = await openModel(args);
  try {
    await native().writeModelBinary(model, args.out);
    const checksum = model.checksum.toString(16).padStart(8, '0');
    return `wrote ${args.out}: N=${model.neurons}, ${model.layers} layers, ${model.nnz} edges, checksum ${checksum} (${elapsed(start)})`;
  } finally {
    model.close();
  }
}

async function convertInputs(path: string, args: ConvertArgs, start: number): Promise<string> {
  const neurons = args.neurons ?? neuronsFromName(path);
  if (neurons === undefined) throw new Error(`${path}: give --neurons (N is not in the file name sparse-images-<N>.tsv)`);
  const inputs = await openInputs(path, neurons);
  try {
    await native().writeInputs(inputs, args.out);
    return `wrote ${args.out}: N=${neurons}, ${inputs.rows} rows, ${inputs.nnz} nonzeros (${elapsed(start)})`;
  } finally {
    inputs.close();
  }
}

export const convertCommand: CommandModule<object, ConvertArgs> = {
  command: 'convert',
  describe: 'Convert a model to the binary model format, or input rows to the binary input format',
  builder: (yargs) =>
    withModelOptions(yargs, false)
      .option('inputs', { type: 'string', describe: 'input rows to convert: sparse-images-<N>.tsv[.gz]' })
      .option('neurons', { type: 'number', describe: 'N of the input rows (default: from the file name)' })
      .option('out', { type: 'string', demandOption: true, describe: 'file to write (.snig for a model, .snigrows for inputs)' })
      .conflicts('model', 'inputs')
      .check((argv) => {
        if (!argv.model && !argv.inputs) throw new Error('give --model (a model to convert) or --inputs (input rows to convert)');
        if (argv.inputs && !String(argv.out).endsWith('.snigrows')) throw new Error('--out for --inputs must end in .snigrows');
        return true;
      }) as never,
  handler: async (args) => {
    const start = performance.now();
    const line = args.inputs ? await convertInputs(args.inputs, args, start) : await convertModel({ ...args, model: args.model! }, start);
    process.stdout.write(`${line}\n`);
  },
};
