// `snig generate`: a challenge-shaped RadiX-Net, input rows augmented from the real images and their
// robust float64 truth, written in the official layout (common/generate.ts does the work).
import type { CommandModule } from 'yargs';

import { DEFAULT_TOLERANCE, formatCurves, generate, type GenerateOptions, type ModelFormat } from '../../common/generate.js';
import { outputLogger, withOutputOptions, type OutputArgs } from './output-options.js';

type GenerateArgs = Omit<GenerateOptions, 'source'> & OutputArgs;

export const generateCommand: CommandModule<object, GenerateArgs> = {
  command: 'generate',
  describe: 'generate a challenge-shaped network, input rows and their truth',
  builder: (yargs) =>
    withOutputOptions(yargs)
      .option('neurons', { type: 'number', demandOption: true, describe: 'N = 16 * 2^G with a square side (1024, 4096, ...)' })
      .option('layers', { type: 'number', demandOption: true, describe: 'number of layers L' })
      .option('rows', { type: 'number', default: 60000, describe: 'input rows to generate' })
      .option('seed', { type: 'number', default: 1, describe: 'seed of the permutations and augmentations' })
      .option('bias', { type: 'number', describe: 'bias of every layer (default: the challenge value for N)' })
      .option('format', { choices: ['tsv', 'binary', 'both'] as const, default: 'both' as ModelFormat, describe: 'model file format (binary and both also write the inputs in the binary input format)' })
      .option('gzip', { type: 'boolean', default: false, describe: 'gzip the TSV layer files' })
      .option('out', { type: 'string', default: '.', describe: 'output directory' })
      .example('$0 generate --neurons 4096 --layers 120 --rows 60000 --out gen', 'a challenge-shaped 4096-neuron network, inputs and truth')
      .option('threads', { type: 'number', default: 0, describe: 'CPU threads (0: all)' })
      .option('tolerance', {
        type: 'number',
        default: DEFAULT_TOLERANCE,
        describe: 'redraw rows whose float64 margin to zero after the bias is below this',
      }),
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
};
