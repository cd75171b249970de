// `snig convert`: a model (either format) to the binary model format, or input rows (TSV, plain or
// gzipped) to the binary input format. Both are written atomically.
import { z } from 'zod';

import { formatChecksum } from '../../common/checksum.js';
import { neuronsFromName, openInputs, openModel } from '../../common/data.js';
import { engineSettingsShape } from '../../common/engine-options.js';
import { native } from '../../common/native.js';
import { defineCommand } from '../schema-flags.js';
import { modelArgs } from './options.js';

const convertArgs = z
  .object({
    ...modelArgs,
    model: modelArgs.model.optional(),
    inputs: z.string().min(1).optional().describe('input rows to convert: sparse-images-<N>.tsv[.gz]'),
    neurons: z.number().int().positive().optional().describe('N of the input rows (default: from the file name)'),
    threads: engineSettingsShape.threads,
    out: z.string().min(1).describe('file to write (.snig for a model, .snigrows for inputs)'),
  })
  .superRefine((args, ctx) => {
    if (!args.model === !args.inputs) ctx.addIssue({ code: 'custom', path: ['model'], message: 'give either --model (a model to convert) or --inputs (input rows to convert)' });
    if (args.inputs && !args.out.endsWith('.snigrows')) ctx.addIssue({ code: 'custom', path: ['out'], message: 'for --inputs must end in .snigrows' });
  });
type ConvertArgs = z.output<typeof convertArgs>;

const elapsed = (start: number): string => `${((performance.now() - start) / 1000).toFixed(2)} s`;

async function convertModel(args: ConvertArgs & { model: string }, start: number): Promise<string> {
  const model = await openModel(args);
  try {
    await native().writeModelBinary(model, args.out);
    return `wrote ${args.out}: N=${model.neurons}, ${model.layers} layers, ${model.nnz} edges, checksum ${formatChecksum(model.checksum)} (${elapsed(start)})`;
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

export const convertCommand = defineCommand({
  command: 'convert',
  describe: 'Convert a model to the binary model format, or input rows to the binary input format',
  args: convertArgs,
  handler: async (args) => {
    const start = performance.now();
    const line = args.inputs ? await convertInputs(args.inputs, args, start) : await convertModel({ ...args, model: args.model! }, start);
    process.stdout.write(`${line}\n`);
  },
});
