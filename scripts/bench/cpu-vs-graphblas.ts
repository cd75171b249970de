// `npm run bench:cpu` (through cpu-vs-graphblas.sh): our CPU engine and SuiteSparse:GraphBLAS side
// by side on the same inputs and thread count; both must give the truth's categories.
// Default set: `snig generate` 1024x120 with 60000 challenge-like rows; --official: the official
// network with the 1200 real images.
import { join } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';

import { native } from '../../common/native.js';
import { runContext } from './context.js';
import { timeCpuEngine } from './cpu-engine.js';
import { BIAS, generatedSet, LAYERS, NEURONS, officialSample, workDir } from './data.js';
import { runGraphblas } from './graphblas.js';
import { differingRows } from './stats.js';
import { formatRate, formatSeconds, formatTable } from './table.js';

const TARGET_SPEEDUP = 3;

const args = await yargs(hideBin(process.argv))
  .scriptName('bench:cpu')
  .option('graphblas', { type: 'string', demandOption: true, describe: 'the built graphblas_dnn program' })
  .option('official', { type: 'boolean', default: false, describe: 'official network and 1200 real images' })
  .option('rows', { type: 'number', default: 60000, describe: 'generated rows' })
  .option('seed', { type: 'number', default: 1, describe: 'generator seed' })
  .option('threads', { type: 'number', default: 2 })
  .option('repeat', { type: 'number', default: 3, describe: 'inferences per engine (median reported)' })
  .strict()
  .parseAsync();

const set = args.official ? officialSample : await generatedSet(args.rows, args.seed);
process.stderr.write(`model ${set.modelDir}\ninputs ${set.input}\n`);

const graphblas = await runGraphblas({
  binary: args.graphblas,
  modelDir: set.modelDir,
  neurons: NEURONS,
  layers: LAYERS,
  bias: BIAS,
  input: set.input,
  rows: set.rows,
  threads: args.threads,
  repeat: args.repeat,
  categoriesPath: join(workDir, 'graphblas-categories.tsv'),
});

const addon = native();
const model = await addon.loadModel({ path: set.modelDir, layers: LAYERS, threads: args.threads });
const inputs = await addon.readInputs({ path: set.input, neurons: NEURONS, rows: set.rows });
const ours = await timeCpuEngine(model, inputs, args.threads, args.repeat);
inputs.close();
model.close();
if (ours.rows !== graphblas.rows) throw new Error(`row counts differ: ours ${ours.rows}, GraphBLAS ${graphblas.rows}`);
const truth = Array.from(await addon.readCategories({ path: set.truth, maxRow: ours.rows }));

const speedup = graphblas.seconds / ours.seconds;
const verdict = (categories: number[]): string => {
  const wrong = differingRows(categories, truth);
  return wrong === 0 ? 'PASSED' : `FAILED (${wrong} rows differ)`;
};
console.log(`\n${runContext()}`);
console.log(`${NEURONS}x${LAYERS} ${set.label}; median and best of ${args.repeat} inferences\n`);
console.log(
  formatTable(
    ['engine', 'threads', 'seconds', 'best', 'edges/s', 'speed-up', 'categories', 'truth'],
    [
      [`GraphBLAS ${graphblas.version}`, graphblas.threads, formatSeconds(graphblas.seconds), formatSeconds(graphblas.bestSeconds),
        formatRate(graphblas.edgesPerSecond), '1.00', graphblas.categories, verdict(graphblas.categoryRows)],
      ['snig cpu', ours.threads, formatSeconds(ours.seconds), formatSeconds(ours.bestSeconds), formatRate(ours.edgesPerSecond),
        speedup.toFixed(2), ours.categories.length, verdict(ours.categories)],
    ],
  ),
);

const differ = differingRows(ours.categories, graphblas.categoryRows);
console.log(`\ncategories of the two engines: ${differ === 0 ? 'identical' : `DIFFER in ${differ} rows`}`);
console.log(`target >= ${TARGET_SPEEDUP}x GraphBLAS: ${speedup >= TARGET_SPEEDUP ? 'met' : 'NOT met'} (${speedup.toFixed(2)}x)`);
const passed = differ === 0 && differingRows(ours.categories, truth) === 0;
process.exitCode = passed ? 0 : 1;
