// `snig convert`: read a model in either format and write the binary format (atomically).
import { z } from 'zod';

import { openModel } from '../../common/data.js';
import { engineOptionsShape } from '../../common/engine-options.js';
import { native } from '../../common/native.js';
import { defineCommand } from '../schema-flags.js';
import { modelArgs } from './options.js';

export const convertCommand = defineCommand({
  command: 'convert',
  describe: 'Convert a model (official TSV layout) to the fast binary format',
  args: z.object({ ...modelArgs, threads: engineOptionsShape.threads, out: z.string().min(1).describe('binary model file to write') }),
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
});
