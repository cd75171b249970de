// `npm run bench`: model loading (official TSV layout vs the binary format, which must load at
// least 10x faster) and the CPU engine's inference time and edges/s on the real 1200-image sample
// (checked against the official truth) and on generated challenge-like inputs.
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';

import { native, type NativeModel } from '../../common/native.js';
import { timeCpuEngine } from './cpu-engine.js';
import { generatedInputs, official, workDir } from './data.js';
import { differingRows, median, timeRuns } from './stats.js';
import { formatRate, formatSeconds, formatTable, type Cell } from './table.js';

const TARGET_LOAD_RATIO = 10;

const args = await yargs(hideBin(process.argv))
  .scriptName('bench')
  .option('loads', { type: 'number', default: 5, describe: 'loads per format (median reported)' })
  .option('threads', { type: 'number', default: 2 })
  .option('repeat', { type: 'number', default: 3, describe: 'inferences per input set (median reported)' })
  .option('rows', { type: 'number', default: 60000, describe: 'generated input rows (0: skip)' })
  .option('seed', { type: 'number', default: 1, describe: 'generator seed' })
  .strict()
  .parseAsync();

const addon = native();

/** Loads the model `args.loads` times; returns the median seconds and the last model (kept open). */
async function timeLoads(path: string): Promise<{ seconds: number; model: NativeModel }> {
  let model: NativeModel | undefined;
  const runs = await timeRuns(args.loads, async () => {
    model?.close();
    model = await addon.loadModel({ path, layers: official.layers, threads: args.threads });
  });
  return { seconds: median(runs), model: model! };
}

// Model loading.
const tsv = await timeLoads(official.modelDir);
const binaryPath = join(workDir, 'n1024-l120.snig');
mkdirSync(workDir, { recursive: true });
await addon.writeModelBinary(tsv.model, binaryPath);
const binary = await timeLoads(binaryPath);
if (binary.model.checksum !== tsv.model.checksum) {
  throw new Error(`${binaryPath}: checksum ${binary.model.checksum} differs from the TSV model's ${tsv.model.checksum}`);
}
const model = binary.model;
tsv.model.close();
const loadRatio = tsv.seconds / binary.seconds;
const bytesPerEdge = statSync(binaryPath).size / model.nnz;

// Inference.
type Row = readonly Cell[];
const inferenceRows: Row[] = [];
let passed = true;
async function inferOn(label: string, path: string, rows: number, truth?: string): Promise<void> {
  const inputs = await addon.readInputs({ path, neurons: official.neurons, rows });
  try {
    const timing = await timeCpuEngine(model, inputs, args.threads, args.repeat);
    let verdict = `${timing.categories.length} categories`;
    if (truth) {
      const expected = Array.from(await addon.readCategories({ path: truth, maxRow: inputs.rows }));
      const wrong = differingRows(timing.categories, expected);
      verdict += wrong === 0 ? ', PASSED' : `, FAILED (${wrong} rows differ)`;
      passed &&= wrong === 0;
    }
    inferenceRows.push([`cpu infer, ${label}`, timing.rows, formatSeconds(timing.seconds),
      formatRate(timing.edgesPerSecond), verdict]);
  } finally {
    inputs.close();
  }
}
await inferOn('real 1200 images', official.images, 0, official.truth);
if (args.rows > 0) await inferOn(`generated (seed ${args.seed})`, generatedInputs(args.rows, args.seed), args.rows);
const nnz = model.nnz;
model.close();

console.log(`\n1024x120 network (${nnz} edges), ${args.threads} threads; medians of ${args.loads} loads / ${args.repeat} inferences\n`);
console.log(
  formatTable(
    ['benchmark', 'rows', 'seconds', 'edges/s', 'note'],
    [
      ['load TSV (.tsv.gz)', '', formatSeconds(tsv.seconds), '', '120 gzipped layer files'],
      ['load binary', '', formatSeconds(binary.seconds), '', `${bytesPerEdge.toFixed(2)} bytes/edge on disk`],
      ['load speed-up', '', `${loadRatio.toFixed(1)}x`, '', loadRatio >= TARGET_LOAD_RATIO ? `>= ${TARGET_LOAD_RATIO}x: met` : `>= ${TARGET_LOAD_RATIO}x: NOT met`],
      ...inferenceRows,
    ],
  ),
);
process.exitCode = passed ? 0 : 1;
