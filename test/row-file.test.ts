// The binary input format (.snigrows): the same rows and categories as the TSV it came from, about
// 2 bytes per nonzero, a row range read without the rest of the file, named errors for damage.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

import { openInputs, openModel, readTruth } from '../common/data.js';
import { Engine } from '../common/engine.js';
import { DEFAULT_TOLERANCE, generate } from '../common/generate.js';
import { native, type NativeInputs } from '../common/native.js';
import { naiveInference, official, randomNetwork, root, tempDir, writeNetwork } from './helpers.js';
import { generatorParamsSchema } from '../common/config/generator.js';

const run = promisify(execFile);
const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', join(root, 'cli/main.ts'), ...args], { cwd: root });

type NativeError = Error & { code?: string };
const named = (pattern: RegExp) => (error: NativeError) => {
  assert.equal(error.code, 'E_FORMAT', error.message);
  assert.match(error.message, pattern);
  return true;
};

/** Each row as "col:value,..." (0-based columns; a missing values array means every value is 1). */
function rowTexts(inputs: NativeInputs, begin = 0, end = inputs.rows): string[] {
  const a = inputs.toArrays(begin, end);
  const out: string[] = [];
  for (let r = 0; r < end - begin; r++) {
    const cells: string[] = [];
    for (let k = a.rowptr[r]!; k < a.rowptr[r + 1]!; k++) cells.push(`${a.cols[k]}:${a.values ? a.values[k] : 1}`);
    out.push(cells.join(','));
  }
  return out;
}

async function categories(model: string, inputs: NativeInputs, range?: [number, number]): Promise<number[]> {
  const loaded = await openModel({ model });
  const engine = await Engine.open(loaded, { engine: 'cpu', threads: 2 });
  try {
    return (await engine.infer(inputs, range ? { range } : {})).categories;
  } finally {
    engine.close();
    loaded.close();
  }
}

describe('binary inputs', () => {
  const dir = tempDir();
  const binary = join(dir, 'first1200.snigrows');

  it('snig convert --inputs writes the official sample atomically at about 2 bytes per nonzero', async () => {
    const { stdout } = await cli('convert', '--inputs', official.images, '--neurons', '1024', '--out', binary);
    assert.match(stdout, /N=1024, 1200 rows, \d+ nonzeros/);
    assert.deepEqual(readdirSync(dir), ['first1200.snigrows']); // no temporary file left behind
    const tsv = await openInputs(official.images, 1024);
    const mapped = await openInputs(binary, 1024);
    assert.equal(mapped.rows, 1200);
    assert.equal(mapped.nnz, tsv.nnz);
    assert.deepEqual(rowTexts(mapped), rowTexts(tsv));
    const perNonzero = statSync(binary).size / mapped.nnz;
    assert.ok(perNonzero <= 2.1, `${perNonzero.toFixed(3)} bytes per nonzero`);
    tsv.close();
    mapped.close();
  });

  it('gives the official categories, all rows and a range', async () => {
    const truth = await readTruth(official.truth, 1200);
    const mapped = await openInputs(binary, 1024);
    assert.deepEqual(await categories(official.model, mapped), truth);
    // Rows 601..1200 alone: global row numbers, only the truth rows in that range.
    assert.deepEqual(await categories(official.model, mapped, [600, 1200]), truth.filter((row) => row > 600));
    mapped.close();
  });

  it('generated sets: the generator writes them, with the same categories as its TSV and its truth', async () => {
    const out = tempDir();
    const { files } = await generate({ ...generatorParamsSchema.parse({ neurons: 4096, layers: 24, rows: 300, seed: 3 }), format: 'binary', gzip: false, out, threads: 0, tolerance: DEFAULT_TOLERANCE });
    assert.ok(files.inputsBinary && files.modelBinary);
    const truth = await readTruth(files.truth, 300);
    const tsv = await openInputs(files.inputs, 4096);
    const mapped = await openInputs(files.inputsBinary, 4096);
    assert.ok(statSync(files.inputsBinary).size / mapped.nnz <= 2.1);
    assert.deepEqual(await categories(files.modelBinary, mapped), truth);
    assert.deepEqual(await categories(files.modelBinary, tsv), truth);
    tsv.close();
    mapped.close();
  });

  it('reads a row range without the rest of the file', async () => {
    const mapped = await openInputs(binary, 1024);
    const opened = mapped.bytesRead;
    assert.ok(opened < 20_000, `${opened} bytes read to open`); // the header and 1201 row offsets
    const tsv = await openInputs(official.images, 1024);
    assert.deepEqual(rowTexts(mapped, 10, 20), rowTexts(tsv).slice(10, 20));
    const size = statSync(binary).size;
    assert.ok(mapped.bytesRead < opened + 20_000, `${mapped.bytesRead} of ${size} bytes read for 10 rows`);
    rowTexts(mapped);
    assert.ok(mapped.bytesRead >= size - opened, 'reading every row reads the whole file');
    tsv.close();
    mapped.close();
  });

  it('keeps values other than 1, and the categories of a plain reference', async () => {
    const net = randomNetwork(5, 48, 3, 40);
    const files = writeNetwork(tempDir(), net, 5);
    const out = join(dir, 'random.snigrows');
    await cli('convert', '--inputs', files.images, '--out', out);
    const tsv = await openInputs(files.images, 48);
    const mapped = await openInputs(out, 48);
    assert.deepEqual(rowTexts(mapped), rowTexts(tsv));
    assert.ok(mapped.toArrays(0, mapped.rows).values, 'values other than 1 travel');
    const expected = naiveInference(net).flatMap((row, r) => (row.some((v) => v !== 0) ? [r + 1] : []));
    const loaded = await openModel({ model: files.model, bias: net.bias });
    const engine = await Engine.open(loaded, { engine: 'cpu', threads: 2 });
    assert.deepEqual((await engine.infer(mapped)).categories, expected);
    engine.close();
    loaded.close();
    tsv.close();
    mapped.close();
  });

  it('sends compact rows over the wire and rebuilds them', async () => {
    const mapped = await openInputs(binary, 1024);
    const arrays = mapped.toArrays(100, 200);
    assert.ok(arrays.cols instanceof Uint16Array, '16-bit columns at N <= 65536');
    assert.equal(arrays.values, undefined, 'no values when every one is 1');
    const rebuilt = native().inputsFromArrays(arrays);
    assert.deepEqual(rowTexts(rebuilt), rowTexts(mapped, 100, 200));
    rebuilt.close();
    mapped.close();
  });

  it('names the file and the problem: bad magic, truncation, checksum, N', async () => {
    const bytes = readFileSync(binary);
    const damaged = join(dir, 'damaged.snigrows');
    writeFileSync(damaged, Buffer.concat([Buffer.from('NOTROWS!'), bytes.subarray(8)]));
    await assert.rejects(openInputs(damaged, 1024), named(/damaged\.snigrows: not a snig binary input file \(bad magic\)/));
    writeFileSync(damaged, bytes.subarray(0, bytes.length - 10));
    await assert.rejects(openInputs(damaged, 1024), named(/damaged\.snigrows: truncated binary inputs/));
    const flipped = Buffer.from(bytes);
    flipped.writeUInt8(flipped.readUInt8(flipped.length - 16) ^ 0x40, flipped.length - 16); // a column of the last rows
    writeFileSync(damaged, flipped);
    const opened = await openInputs(damaged, 1024); // the header and offsets are intact
    assert.throws(() => opened.toArrays(1190, 1200), named(/damaged\.snigrows: checksum mismatch in nonzeros/));
    opened.close();
    const offsets = Buffer.from(bytes);
    offsets.writeUInt8(offsets.readUInt8(64 + 8 * 600) ^ 1, 64 + 8 * 600);
    writeFileSync(damaged, offsets);
    await assert.rejects(openInputs(damaged, 1024), named(/damaged\.snigrows: checksum mismatch in the header or row offsets/));
    await assert.rejects(openInputs(binary, 4096), named(/first1200\.snigrows: inputs of N=1024 for a model of N=4096/));
  });
});
