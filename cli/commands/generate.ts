// `snig generate`: a challenge-shaped RadiX-Net (or a network without structure), input rows augmented
// from the real images and their robust float64 truth, written in the official layout
// (common/generate.ts does the work).
import type { CommandModule } from 'yargs';

import {
  DEFAULT_TOLERANCE,
  formatCurves,
  generate,
  parseRange,
  type GenerateOptions,
  type ModelFormat,
  type Structure,
} from '../../common/generate.js';
import type { RandomWeights } from '../../common/native.js';
import { outputLogger } from './output-logger.js';
import { withOutputOptions, type OutputArgs } from './output-options.js';

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
      .option('structure', {
        choices: ['radix', 'random'] as const,
        default: 'radix' as Structure,
        describe: 'radix: a RadiX-Net; random: every neuron reads --fan-in distinct random inputs',
      })
      .option('fan-in', {
        type: 'string',
        coerce: (text: string) => parseRange(text, '--fan-in'),
        describe: 'random: inputs per neuron, K or a range A-B drawn per neuron [32]',
      })
      .option('random-weights', {
        choices: ['uniform', 'positive', 'mixed'] as const,
        default: 'uniform' as RandomWeights,
        describe: 'random: 1/16 each, uniform in [1/32, 3/32), or in [-1/16, 3/16)',
      })
      .option('survive', {
        type: 'string',
        coerce: (text: string) => parseRange(text, '--survive'),
        describe: 'random without --bias: share of rows to survive the last layer, for the bisection [0.015-0.025]',
      })
      .option('bias', {
        type: 'number',
        describe: 'bias of every layer (default: the challenge value for N; random: bisected on the first 1000 rows)',
      })
      .option('format', { choices: ['tsv', 'binary', 'both'] as const, default: 'both' as ModelFormat, describe: 'model file format (binary and both also write the inputs in the binary input format)' })
      .option('gzip', { type: 'boolean', default: false, describe: 'gzip the TSV layer files' })
      .option('out', { type: 'string', default: '.', describe: 'output directory' })
      .option('threads', { type: 'number', default: 0, describe: 'CPU threads (0: all)' })
      .option('tolerance', {
        type: 'number',
        default: DEFAULT_TOLERANCE,
        describe: 'redraw rows whose float64 margin to zero after the bias is below this',
      })
      .example('$0 generate --neurons 4096 --layers 120 --rows 60000 --out gen', 'a challenge-shaped 4096-neuron network, inputs and truth'),
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
