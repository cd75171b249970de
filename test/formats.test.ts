// Reading the official formats and the binary format: bad input gets a named error (file, line,
// problem) and nothing is half-written.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';

import { openInputs, openModel, readTruth } from '../common/data.js';
import { Engine } from '../common/engine.js';
import { native } from '../common/native.js';
import { official, root, tempDir, writeText } from './helpers.js';

const run = promisify(execFile);

type NativeError = Error & { code?: string };
const named = (code: string, pattern: RegExp) => (error: NativeError) => {
  assert.equal(error.code, code, error.message);
  assert.match(error.message, pattern);
  return true;
};

/** A 4-neuron, 2-layer model directory with the given layer texts. */
function modelDir(layer1: string, layer2 = '1\t1\t0.5\n2\t2\t0.5\n'): string {
  const dir = join(tempDir(), 'neuron4');
  writeText(join(dir, 'n4-l1.tsv'), layer1);
  writeText(join(dir, 'n4-l2.tsv'), layer2);
  return dir;
}

describe('model files', () => {
  it('names a non-numeric field with its file and line', async () => {
    const dir = modelDir('1\t1\t0.5\n2\tx\t0.5\n');
    await assert.rejects(openModel({ model: dir, bias: -0.3 }), named('E_FORMAT', /n4-l1\.tsv:2: output neuron 'x' is not a whole number/));
    const weights = modelDir('1\t1\t0.5\n2\t2\tabc\n');
    await assert.rejects(openModel({ model: weights, bias: -0.3 }), named('E_FORMAT', /n4-l1\.tsv:2: weight 'abc' is not a finite number/));
  });

  it('rejects index 0 and indices above N', async () => {
    await assert.rejects(openModel({ model: modelDir('0\t1\t0.5\n'), bias: -0.3 }), named('E_FORMAT', /n4-l1\.tsv:1: input neuron is 0; indices are 1-based/));
    await assert.rejects(openModel({ model: modelDir('1\t1\t0.5\n1\t5\t0.5\n'), bias: -0.3 }), named('E_FORMAT', /n4-l1\.tsv:2: output neuron 5 exceeds 4/));
  });

  it('rejects duplicate entries, naming both lines', async () => {
    const dir = modelDir('1\t1\t0.5\n3\t2\t0.5\n1\t1\t0.25\n');
    await assert.rejects(openModel({ model: dir, bias: -0.3 }), named('E_FORMAT', /n4-l1\.tsv:3: duplicate entry 1 1 \(first on line 1\)/));
  });

  it('rejects empty layer files and wrong field counts', async () => {
    await assert.rejects(openModel({ model: modelDir(''), bias: -0.3 }), named('E_FORMAT', /n4-l1\.tsv: empty layer file/));
    await assert.rejects(openModel({ model: modelDir('1\t1\n'), bias: -0.3 }), named('E_FORMAT', /n4-l1\.tsv:1: expected 3 fields, found 2/));
  });

  it('names a missing layer file', async () => {
    const dir = modelDir('1\t1\t0.5\n');
    writeText(join(dir, 'n4-l4.tsv'), '1\t1\t0.5\n');
    await assert.rejects(openModel({ model: dir, bias: -0.3 }), named('E_FORMAT', /n4-l3\.tsv: missing layer file/));
    await assert.rejects(openModel({ model: modelDir('1\t1\t0.5\n'), layers: 3, bias: -0.3 }), named('E_FORMAT', /n4-l3\.tsv: missing layer file/));
  });

  it('requires the bias for a non-challenge N and reads gzipped layers', async () => {
    await assert.rejects(openModel({ model: modelDir('1\t1\t0.5\n') }), named('E_ARGUMENT', /N = 4 is not a challenge size: give the bias/));
    const model = await openModel({ model: official.model, layers: 3 });
    assert.deepEqual(Array.from(model.biases), [-0.3, -0.3, -0.3]); // the doubles, not float32(-0.3)
  });

  it('writes the binary format atomically and reads it back with the same checksum', async () => {
    const dir = tempDir();
    const tsv = await openModel({ model: official.model, layers: 6 });
    const out = join(dir, 'n1024-l6.snig');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(root, 'cli/main.ts'), 'convert', '--model', official.model, '--layers', '6', '--out', out], { cwd: root });
    assert.match(stdout, /N=1024, 6 layers, 196608 edges/);
    assert.deepEqual(readdirSync(dir), ['n1024-l6.snig']); // no temporary file left behind
    const binary = await openModel({ model: out });
    assert.equal(binary.checksum, tsv.checksum);
    assert.equal(binary.indexBytes, 2);
    // Uniform weights store no values: 2 bytes per edge plus the column offsets.
    const bytes = readFileSync(out).length;
    assert.ok(bytes < 6 * (32768 * 2 + 1025 * 4) + 1024, `${bytes} bytes`);
    // Round trip through the official layout: byte-equal to the official files.
    await native().writeModelTsv(binary, { dir: join(dir, 'tsv'), gzip: false });
    for (const k of [1, 6]) {
      const ours = readFileSync(join(dir, 'tsv', `n1024-l${k}.tsv`));
      const theirs = gunzipSync(readFileSync(join(official.model, `n1024-l${k}.tsv.gz`)));
      assert.ok(ours.equals(theirs), `layer ${k} differs from the official file`);
    }
  });

  it('still reads version 1 of the binary format, its float32 bias read back as the decimal -0.3', async () => {
    const path = join(tempDir(), 'n1024-l2-v1.snig');
    writeFileSync(path, gunzipSync(readFileSync(join(root, 'test/fixtures/n1024-l2-v1.snig.gz'))));
    assert.equal(readFileSync(path).readUInt32LE(8), 1);
    const old = await openModel({ model: path });
    const tsv = await openModel({ model: official.model, layers: 2 });
    assert.deepEqual(Array.from(old.biases), [-0.3, -0.3]);
    assert.deepEqual([old.neurons, old.layers, old.nnz, old.checksum], [tsv.neurons, tsv.layers, tsv.nnz, tsv.checksum]);
  });

  it('detects a corrupt binary model', async () => {
    const dir = tempDir();
    const model = await openModel({ model: official.model, layers: 2 });
    const path = join(dir, 'm.snig');
    await native().writeModelBinary(model, path);
    const bytes = readFileSync(path);
    const at = bytes.length - 100;
    bytes.writeUInt8((bytes.readUInt8(at) ^ 0xff) & 0xff, at);
    writeFileSync(path, bytes);
    await assert.rejects(openModel({ model: path }), named('E_FORMAT', /m\.snig: checksum mismatch/));
    writeFileSync(path, bytes.subarray(0, 500));
    await assert.rejects(openModel({ model: path }), named('E_FORMAT', /m\.snig: truncated binary model/));
  });

  it('opens a binary model lazily: its layers read and checked when an engine needs them', async () => {
    const dir = tempDir();
    const model = await openModel({ model: official.model, layers: 3 });
    const path = join(dir, 'm.snig');
    await native().writeModelBinary(model, path);
    const lazy = await openModel({ model: path, lazy: true });
    assert.deepEqual([lazy.neurons, lazy.layers, lazy.nnz, lazy.checksum], [model.neurons, model.layers, model.nnz, model.checksum]);
    const inputs = await openInputs(official.images, 1024);
    const categories = async (m: typeof model) => {
      const engine = await Engine.open(m, { engine: 'cpu', threads: 2 });
      const { categories } = await engine.infer(inputs);
      engine.close();
      return categories;
    };
    assert.deepEqual(await categories(lazy), await categories(model));
    const bytes = readFileSync(path);
    const at = bytes.length - 100; // a weight of the last layer: the header, table and trailer still agree
    bytes.writeUInt8((bytes.readUInt8(at) ^ 0xff) & 0xff, at);
    writeFileSync(path, bytes);
    const corrupt = await openModel({ model: path, lazy: true });
    await assert.rejects(Engine.open(corrupt, { engine: 'cpu' }), named('E_FORMAT', /m\.snig: checksum mismatch/));
    // Its own layer count and bias change nothing, so nothing is read; fewer layers are read at once.
    (await openModel({ model: path, lazy: true, layers: 3, bias: -0.3 })).close();
    await assert.rejects(openModel({ model: path, lazy: true, layers: 2 }), named('E_FORMAT', /m\.snig: checksum mismatch/));
    writeFileSync(path, bytes.subarray(0, bytes.length - 200));
    await assert.rejects(openModel({ model: path, lazy: true }), named('E_FORMAT', /m\.snig: truncated binary model/));
    for (const m of [model, lazy, corrupt]) m.close();
    inputs.close();
  });

  it('names a path that is neither a model file nor a directory', async () => {
    await assert.rejects(openModel({ model: join(tempDir(), 'nothing') }), named('E_IO', /no such file or directory/));
    const file = writeText(join(tempDir(), 'x.txt'), 'hello');
    await assert.rejects(openModel({ model: file }), named('E_FORMAT', /x\.txt: not a model/));
  });
});

describe('input and truth files', () => {
  it('names bad input lines', async () => {
    const dir = tempDir();
    const bad = writeText(join(dir, 'a.tsv'), '1\t1\t1\n2\t2000\t1\n');
    await assert.rejects(openInputs(bad, 1024), named('E_FORMAT', /a\.tsv:2: column 2000 exceeds 1024/));
    const dup = writeText(join(dir, 'b.tsv'), '1\t1\t1\n2\t2\t1\n1\t1\t1\n');
    await assert.rejects(openInputs(dup, 1024), named('E_FORMAT', /b\.tsv:3: duplicate entry 1 1 \(first on line 1\)/));
    await assert.rejects(openInputs(writeText(join(dir, 'c.tsv'), '\n'), 1024), named('E_FORMAT', /c\.tsv: empty input file/));
  });

  it('rejects truth rows out of range or repeated', async () => {
    const dir = tempDir();
    await assert.rejects(readTruth(writeText(join(dir, 't1.tsv'), '5\n1300\n'), 1200), named('E_FORMAT', /t1\.tsv:2: row 1300 exceeds 1200/));
    await assert.rejects(readTruth(writeText(join(dir, 't2.tsv'), '5\n0\n'), 1200), named('E_FORMAT', /t2\.tsv:2: row is 0/));
    await assert.rejects(readTruth(writeText(join(dir, 't3.tsv'), '5\n7\n5\n'), 1200), named('E_FORMAT', /t3\.tsv:3: row 5 is listed twice/));
    assert.deepEqual(await readTruth(writeText(join(dir, 't4.tsv'), '# made by a test\n9\n3\n'), 10), [3, 9]);
  });

  it('reads the official truth for all 60000 images', async () => {
    const truth = await readTruth(join(root, 'data/hpec-1024/neuron1024-l120-categories.tsv.gz'), 60000);
    assert.equal(truth.length, 1812);
    assert.ok(existsSync(official.truth));
  });
});

/**
 * Ways to cut a gzip file of `text`: at a row boundary or mid-line, with the trailer dropped or only
 * part of it left, and a cut inside the compressed data.
 */
function truncatedGzips(text: string): Array<{ name: string; bytes: Buffer }> {
  const lines = text.split('\n');
  const half = `${lines.slice(0, lines.length >> 1).join('\n')}\n`;
  const midLine = text.slice(0, half.length + 3);
  const whole = gzipSync(text);
  return [
    { name: 'row boundary, no trailer', bytes: gzipSync(half).subarray(0, -8) },
    { name: 'row boundary, half a trailer', bytes: gzipSync(half).subarray(0, -4) },
    { name: 'mid-line, no trailer', bytes: gzipSync(midLine).subarray(0, -8) },
    { name: 'whole text, no trailer', bytes: whole.subarray(0, -8) },
    { name: 'inside the compressed data', bytes: whole.subarray(0, whole.length >> 1) },
  ];
}

describe('truncated gzip files', () => {
  const truncated = named('E_FORMAT', /: truncated gzip stream$/);
  const pixels = Array.from({ length: 400 }, (_, k) => `${(k >> 2) + 1}\t${(k % 4) * 7 + 1}\t1`).join('\n');

  it('names a cut input file', async () => {
    for (const cut of truncatedGzips(`${pixels}\n`)) {
      const path = join(tempDir(), 'images.tsv.gz');
      writeFileSync(path, cut.bytes);
      await assert.rejects(openInputs(path, 1024), truncated, cut.name);
    }
  });

  it('names a cut truth file', async () => {
    const rows = Array.from({ length: 300 }, (_, k) => String(3 * k + 1)).join('\n');
    for (const cut of truncatedGzips(`${rows}\n`)) {
      const path = join(tempDir(), 'truth.tsv.gz');
      writeFileSync(path, cut.bytes);
      await assert.rejects(readTruth(path, 1000), truncated, cut.name);
    }
  });

  it('names a cut layer file', async () => {
    const layer = gunzipSync(readFileSync(join(official.model, 'n1024-l1.tsv.gz'))).toString();
    for (const cut of truncatedGzips(layer)) {
      const dir = join(tempDir(), 'neuron1024');
      mkdirSync(dir);
      writeFileSync(join(dir, 'n1024-l1.tsv.gz'), cut.bytes);
      await assert.rejects(openModel({ model: dir }), (error: NativeError) => truncated(error) && error.message.includes('n1024-l1.tsv.gz'), cut.name);
    }
  });

  it('fails `snig infer` with a non-zero exit', async () => {
    const path = join(tempDir(), 'images.tsv.gz');
    writeFileSync(path, readFileSync(official.images).subarray(0, -8));
    const cli = run(process.execPath, ['--import', 'tsx', join(root, 'cli/main.ts'), 'infer', '--model', official.model, '--layers', '2', '--input', path], { cwd: root });
    await assert.rejects(cli, (error: Error & { code?: number; stderr?: string }) => {
      assert.notEqual(error.code, 0);
      assert.match(error.stderr ?? '', /E_FORMAT: \S*images\.tsv\.gz: truncated gzip stream/);
      return true;
    });
  });
});
