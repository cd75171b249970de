// `npm run bench`: model loading (official TSV layout vs the binary format, which must load at
// least 10x faster) and the CPU engine's inference time and edges/s on the official 1200-image
// sample and on a generated challenge-like set, each checked against its truth.
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';

import { native, type NativeModel } from '../../common/native.js';
import { runContext } from './context.js';
import { timeCpuEngine } from './cpu-engine.js';
import { generatedSet, LAYERS, NEURONS, officialSample, workDir, type InputSet } from './data.js';
import { differingRows, median, timeRuns } from './stats.js';
import { formatRate, formatSeconds, formatTable, type Cell } from './table.js';

const TARGET_LOAD_RATIO = 10;

const args = await yargs(hideBin(process.argv))
  .scriptName('bench')
  .option('loads', { type: 'number', default: 5, describe: 'loads per format (median reported)' })
  .option('threads', { type: 'number', default: 2 })
  .option('repeat', { type: 'number', default: 3, describe: 'inferences per input set (median reported)' })
  .option('rows', { type: 'number', default: 60000, describe: 'generated input rows (0: skip that set)' })
  .option('seed', { type: 'number', default: 1, describe: 'generator seed' })
  .strict()
  .parseAsync();

const addon = native();

/** Loads a model `args.loads` times; returns the median seconds and the last model (left open). */
async function timeLoads(path: string): Promise<{ seconds: number; model: NativeModel }> {
  let model: NativeModel | undefined;
  const runs = await timeRuns(args.loads, async () => {
    model?.close();
    model = await addon.loadModel({ path, layers: LAYERS, threads: args.threads });
  });
  return { seconds: median(runs), model: model! };
}

// Model loading: the official 1024x120 network from its .tsv.gz files, then from the binary format.
const tsv = await timeLoads(officialSample.modelDir);
mkdirSync(workDir, { recursive: true });
const binaryPath = join(workDir, `n${NEURONS}-l${LAYERS}.snig`);
await addon.writeModelBinary(tsv.model, binaryPath);
const binary = await timeLoads(binaryPath);
if (binary.model.checksum !== tsv.model.checksum) {
  throw new Error(`${binaryPath}: checksum ${binary.model.checksum} differs from the TSV model's ${tsv.model.checksum}`);
}
const nnz = tsv.model.nnz;
tsv.model.close();
binary.model.close();
const loadRatio = tsv.seconds / binary.seconds;
const bytesPerEdge = statSync(binaryPath).size / nnz;

// Inference, each set checked against its truth.
let passed = true;
async function inferenceRow(set: InputSet): Promise<Cell[]> {
  const model = await addon.loadModel({ path: set.modelDir, layers: LAYERS, threads: args.threads });
  const inputs = await addon.readInputs({ path: set.input, neurons: NEURONS, rows: set.rows });
  try {
    const timing = await timeCpuEngine(model, inputs, args.threads, args.repeat);
    const truth = Array.from(await addon.readCategories({ path: set.truth, maxRow: inputs.rows }));
    const wrong = differingRows(timing.categories, truth);
    passed &&= wrong === 0;
    const verdict = wrong === 0 ? 'PASSED' : `FAILED (${wrong} rows differ)`;
    return [`cpu infer: ${set.label}`, formatSeconds(timing.seconds), formatRate(timing.edgesPerSecond),
      `${timing.categories.length} categories of ${timing.rows}, ${verdict}`];
  } finally {
    inputs.close();
    model.close();
  }
}
const inference = [await inferenceRow(officialSample)];
if (args.rows > 0) inference.push(await inferenceRow(await generatedSet(args.rows, args.seed)));

console.log(`\n${runContext()}`);
console.log(`${NEURONS}x${LAYERS} (${nnz} edges), ${args.threads} threads; medians of ${args.loads} loads / ${args.repeat} inferences\n`);
console.log(
  formatTable(
    ['benchmark', 'seconds', 'edges/s', 'note'],
    [
      ['load official TSV (.tsv.gz)', formatSeconds(tsv.seconds), '', '120 gzipped layer files'],
      ['load binary', formatSeconds(binary.seconds), '', `${bytesPerEdge.toFixed(2)} bytes/edge on disk`],
      ['load speed-up', `${loadRatio.toFixed(1)}x`, '',
        `target >= ${TARGET_LOAD_RATIO}x: ${loadRatio >= TARGET_LOAD_RATIO ? 'met' : 'NOT met'}`],
      ...inference,
    ],
  ),
);
process.exitCode = passed ? 0 : 1;
