// `snig convert`: read a model in either format and write the binary format (atomically).
import type { CommandModule } from 'yargs';

import { openModel } from '../../common/data.js';
import { native } from '../../common/native.js';
import { withModelOptions } from './options.js';

interface ConvertArgs {
  model: string;
  bias?: number;
  layers?: number;
  threads: number;
  out: string;
}

export const convertCommand: CommandModule<object, ConvertArgs> = {
  command: 'convert',
  describe: 'Convert a model (official TSV layout) to the fast binary format',
  builder: (yargs) =>
    withModelOptions(yargs).option('out', { type: 'string', demandOption: true, describe: 'binary model file to write' }) as never,
  handler: async (args) => {
    const start = performance.now();
    const model = await openModel(args);
    await native().writeModelBinary(model, args.out);
    process.stdout.write(
      `wrote ${args.out}: N=${model.neurons}, ${model.layers} layers, ${model.nnz} edges, ` +
        `checksum ${model.checksum.toString(16).padStart(8, '0')} (${((performance.now() - start) / 1000).toFixed(2)} s)\n`,
    );
    model.close();
  },
};
