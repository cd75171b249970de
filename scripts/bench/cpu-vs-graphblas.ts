// `npm run bench:cpu` (through cpu-vs-graphblas.sh): our CPU engine and SuiteSparse:GraphBLAS side
// by side on the same inputs and thread count, the same categories required, speed-up reported.
// Default inputs: 60000 challenge-like rows from `snig generate` for the official 1024x120 network.
import { join } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';

import { native } from '../../common/native.js';
import { timeCpuEngine } from './cpu-engine.js';
import { generatedInputs, official, workDir } from './data.js';
import { runGraphblas } from './graphblas.js';
import { differingRows } from './stats.js';
import { formatRate, formatSeconds, formatTable } from './table.js';

const TARGET_SPEEDUP = 3;

const args = await yargs(hideBin(process.argv))
  .scriptName('bench:cpu')
  .option('graphblas', { type: 'string', demandOption: true, describe: 'the built graphblas_dnn program' })
  .option('input', { type: 'string', describe: 'sparse images file (default: generated rows)' })
  .option('rows', { type: 'number', default: 60000, describe: 'generated rows (ignored with --input)' })
  .option('seed', { type: 'number', default: 1, describe: 'generator seed' })
  .option('threads', { type: 'number', default: 2 })
  .option('repeat', { type: 'number', default: 3, describe: 'inferences per engine (median reported)' })
  .option('truth', { type: 'string', describe: 'categories file both engines must also match' })
  .strict()
  .parseAsync();

const input = args.input ?? generatedInputs(args.rows, args.seed);
const rows = args.input ? 0 : args.rows;
process.stderr.write(`inputs: ${input}\n`);

const graphblas = await runGraphblas({
  binary: args.graphblas,
  modelDir: official.modelDir,
  neurons: official.neurons,
  layers: official.layers,
  bias: official.bias,
  input,
  rows,
  threads: args.threads,
  repeat: args.repeat,
  categoriesPath: join(workDir, 'graphblas-categories.tsv'),
});

const addon = native();
const model = await addon.loadModel({ path: official.modelDir, layers: official.layers, threads: args.threads });
const inputs = await addon.readInputs({ path: input, neurons: official.neurons, rows });
const ours = await timeCpuEngine(model, inputs, args.threads, args.repeat);
inputs.close();
model.close();

if (ours.rows !== graphblas.rows) throw new Error(`row counts differ: ours ${ours.rows}, GraphBLAS ${graphblas.rows}`);

console.log(`\n1024x120 network, ${ours.rows} rows (${input}), median of ${args.repeat} inferences\n`);
console.log(
  formatTable(
    ['engine', 'threads', 'seconds', 'edges/s', 'speed-up', 'categories'],
    [
      [`GraphBLAS ${graphblas.version}`, graphblas.threads, formatSeconds(graphblas.seconds),
        formatRate(graphblas.edgesPerSecond), '1.00', graphblas.categories],
      ['snig cpu', ours.threads, formatSeconds(ours.seconds), formatRate(ours.edgesPerSecond),
        (graphblas.seconds / ours.seconds).toFixed(2), ours.categories.length],
    ],
  ),
);

let ok = true;
const differ = differingRows(ours.categories, graphblas.categoryRows);
console.log(`\ncategories: ${differ === 0 ? 'identical' : `DIFFER in ${differ} rows`}`);
ok &&= differ === 0;
if (args.truth) {
  const truth = Array.from(await addon.readCategories({ path: args.truth, maxRow: ours.rows }));
  const wrong = differingRows(ours.categories, truth);
  console.log(`truth ${args.truth}: ${wrong === 0 ? 'PASSED' : `FAILED (${wrong} rows differ)`}`);
  ok &&= wrong === 0;
}
const speedup = graphblas.seconds / ours.seconds;
console.log(`target: >= ${TARGET_SPEEDUP}x GraphBLAS: ${speedup >= TARGET_SPEEDUP ? 'met' : 'NOT met'} (${speedup.toFixed(2)}x)`);
process.exitCode = ok ? 0 : 1;
