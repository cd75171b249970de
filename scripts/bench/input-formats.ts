// Input formats (issue 13): 60000 generated rows of N = 4096 (about 25M nonzeros) written as gzipped
// TSV, plain TSV and binary inputs (.snigrows); for each, the size and the time to open it and to
// have every row in memory, then the time to read 1000 rows of the binary file alone.
//   node --import tsx scripts/bench/input-formats.ts [--neurons 4096] [--rows 60000]
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { native } from '../../common/native.js';
import { officialSample, workDir } from './data.js';
import { numberOption } from './number-option.js';
import { formatSeconds, formatTable } from './table.js';

const { values } = parseArgs({ options: { neurons: { type: 'string', default: '4096' }, rows: { type: 'string', default: '60000' } } });
const neurons = numberOption('neurons', values.neurons);
const rows = numberOption('rows', values.rows);
const addon = native();
const dir = join(workDir, 'input-formats');
mkdirSync(dir, { recursive: true });

const source = await addon.readInputs({ path: officialSample.input, neurons: 1024, rows: 0 });
const inputs = await addon.generateInputs(source, { neurons, rows, seed: 1, augment: true, threads: 0 });
const formats = ['tsv.gz', 'tsv', 'snigrows'];
const files = formats.map((ext) => join(dir, `sparse-images-${neurons}.${ext}`));
for (const file of files) await addon.writeInputs(inputs, file);

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await work();
  return [value, (performance.now() - start) / 1000];
}

const table: string[][] = [];
// The TSV formats are parsed whole when opened; the binary one is mapped, its rows read when used.
for (const [k, file] of files.entries()) {
  const [opened, openSeconds] = await timed(() => addon.readInputs({ path: file, neurons, rows: 0 }));
  const [, allSeconds] = await timed(async () => opened.toArrays(0, opened.rows));
  const bytes = statSync(file).size;
  table.push([formats[k]!, `${(bytes / 1e6).toFixed(1)} MB`, (bytes / inputs.nnz).toFixed(2),
    formatSeconds(openSeconds), formatSeconds(openSeconds + allSeconds), `${(bytes / 1e6 / openSeconds).toFixed(0)} MB/s`]);
  opened.close();
}
const binary = await addon.readInputs({ path: files[2]!, neurons, rows: 0 });
const [, rangeSeconds] = await timed(async () => binary.toArrays(rows / 2, rows / 2 + 1000));
console.log(`${rows} rows of N = ${neurons}, ${inputs.nnz} nonzeros; 1000 rows of the binary file: ${formatSeconds(rangeSeconds)}, ${binary.bytesRead} bytes read`);
console.log(formatTable(['format', 'size', 'bytes/nonzero', 'open', 'every row in memory', 'open rate'], table));
binary.close();
inputs.close();
source.close();
