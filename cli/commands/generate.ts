// `snig generate`: a challenge-shaped RadiX-Net (or a network without structure), input rows augmented
// from the real images and their robust float64 truth, written in the official layout
// (common/generate.ts does the work).
import { z } from 'zod';

import { generatorShape } from '../../common/config/generator.js';
import { engineSettingsShape } from '../../common/engine-options.js';
import { DEFAULT_TOLERANCE, generate, MODEL_FORMATS } from '../../common/generate.js';
import { formatCurves } from '../../common/live-curve.js';
import { defineCommand } from '../schema-flags.js';
import { outputLogger } from './output-logger.js';
import { outputArgs } from './output-options.js';

const generateArgs = z.object({
  ...generatorShape,
  format: z.enum(MODEL_FORMATS).default('both').describe('model file format (binary and both also write the inputs in the binary input format)'),
  gzip: z.boolean().default(false).describe('gzip the TSV layer files'),
  out: z.string().min(1).default('.').describe('output directory'),
  threads: engineSettingsShape.threads,
  tolerance: z.number().nonnegative().default(DEFAULT_TOLERANCE).describe('redraw rows whose float64 margin to zero after the bias is below this'),
  ...outputArgs,
});

export const generateCommand = defineCommand({
  command: 'generate',
  describe: 'generate a challenge-shaped network, input rows and their truth',
  args: generateArgs,
  examples: [['$0 generate --neurons 4096 --layers 120 --rows 60000 --out gen', 'a challenge-shaped 4096-neuron network, inputs and truth']],
  handler: async (args) => {
    const report = await generate(args, outputLogger('generate', args));
    const percent = ((100 * report.categories) / report.rows).toFixed(2);
    process.stdout.write(
      `${formatCurves(report.curve, report.realCurve)}\n` +
        `categories: ${report.categories} of ${report.rows} rows (${percent}%); ` +
        `${report.replacedRows} rounding-fragile rows replaced (${report.redraws} redraws)\n` +
        `time: network ${report.seconds.model.toFixed(2)} s, inputs and truth ${report.seconds.inputsAndTruth.toFixed(2)} s, ` +
        `writing ${report.seconds.write.toFixed(2)} s\n` +
        Object.values(report.files).join('\n') +
        '\n',
    );
  },
});
