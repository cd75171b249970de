// The generator's networks without structure (issue 12): every neuron reads distinct random inputs
// in the requested range with weights of the requested kind, a seed names one network, and the
// bisected bias keeps the requested share of rows alive, checked against the plain TypeScript
// reference inference (test/helpers.ts) on the written files.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { defaultSourceImages, validateGenerate } from '../common/generate.js';
import { generatorParamsSchema, parseRange } from '../common/config/generator.js';
import { native, type NativeModel } from '../common/native.js';
import { naiveInference, tempDir, type Edge } from './helpers.js';

const N = 64; // generated images need a square side: 8 x 8

/** The edges of layer k (1-based) from the official layout writeModelTsv writes. */
async function layerEdges(model: NativeModel, dir: string, k: number): Promise<Edge[]> {
  await native().writeModelTsv(model, { dir, gzip: false });
  return readFileSync(join(dir, `n${N}-l${k}.tsv`), 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [i, j, w] = line.split('\t').map(Number);
      return { input: i! - 1, output: j! - 1, weight: w! };
    });
}

/** Dense rows from a sparse-images TSV file (row, col, value; 1-based). */
function denseRows(path: string, rows: number): number[][] {
  const dense = Array.from({ length: rows }, () => new Array<number>(N).fill(0));
  for (const line of readFileSync(path, 'utf8').trim().split('\n')) {
    const [r, c, v] = line.split('\t').map(Number);
    dense[r! - 1]![c! - 1] = v!;
  }
  return dense;
}

describe('generator: random networks', () => {
  const dir = tempDir('snig-random-');

  test('each neuron reads distinct inputs within the fan-in range, weights of the chosen kind, one network per seed', async () => {
    const spec = { structure: 'random', neurons: N, layers: 3, fanInMin: 4, fanInMax: 12, weights: 'mixed', bias: -0.1, seed: 3, threads: 0 } as const;
    const [model, again, other] = await Promise.all([
      native().generateModel(spec),
      native().generateModel(spec),
      native().generateModel({ ...spec, seed: 4 }),
    ]);
    try {
      assert.equal(again.checksum, model.checksum);
      assert.notEqual(other.checksum, model.checksum);
      let edges = 0;
      const degrees = new Set<number>();
      for (let k = 1; k <= 3; k++) {
        const layer = await layerEdges(model, join(dir, 'mixed'), k);
        edges += layer.length;
        for (let j = 0; j < N; j++) {
          const inputs = layer.filter((e) => e.output === j).map((e) => e.input);
          assert.ok(inputs.length >= 4 && inputs.length <= 12, `layer ${k} output ${j}: ${inputs.length} inputs`);
          assert.equal(new Set(inputs).size, inputs.length, `layer ${k} output ${j}: repeated inputs`);
          degrees.add(inputs.length);
        }
        for (const e of layer) assert.ok(e.weight >= -0.0625 && e.weight <= 0.1875, `weight ${e.weight} outside [-1/16, 3/16)`);
        assert.ok(layer.some((e) => e.weight < 0) && layer.some((e) => e.weight > 0), 'mixed weights have both signs');
      }
      assert.equal(edges, model.nnz);
      assert.ok(degrees.size > 3, 'the fan-in is drawn from the range');
    } finally {
      for (const m of [model, again, other]) m.close();
    }
  });

  test('the bisected bias keeps 1.5-2.5 % of the sample alive, as the TypeScript reference counts', async () => {
    const layers = 12;
    const model = await native().generateModel({ structure: 'random', neurons: N, layers, fanInMin: 8, fanInMax: 8, weights: 'uniform', bias: 0, seed: 5, threads: 0 });
    const source = await native().readInputs({ path: defaultSourceImages(), neurons: 1024, rows: 0 });
    const sample = await native().generateInputs(source, { neurons: N, rows: 800, seed: 2, augment: true, threads: 0 });
    try {
      const found = await native().chooseSurvivalBias(model, sample, { low: 0.015, high: 0.025, threads: 0 });
      assert.ok(found.survivors >= 0.015 && found.survivors <= 0.025, `${found.survivors} survive`);
      assert.ok(found.bias < 0 && found.steps >= 1);
      const imagePath = join(dir, 'sample.tsv');
      await native().writeInputs(sample, imagePath);
      const net = { n: N, bias: found.bias, layers: [] as Edge[][], rows: denseRows(imagePath, sample.rows) };
      for (let k = 1; k <= layers; k++) net.layers.push(await layerEdges(model, join(dir, 'uniform'), k));
      const alive = naiveInference(net).filter((row) => row.some((v) => v !== 0)).length;
      assert.equal(alive / sample.rows, found.survivors);
    } finally {
      sample.close();
      source.close();
      model.close();
    }
  });

  test('options: ranges parse, bad fan-ins and bands are refused, a random network may leave the bias to the bisection', () => {
    assert.deepEqual(parseRange('8-48'), { min: 8, max: 48 });
    assert.deepEqual(parseRange('32'), { min: 32, max: 32 });
    for (const bad of ['8-x', '', '1-2-3', '-']) assert.equal(parseRange(bad), undefined, bad);
    const params = (extra: Record<string, unknown>) => generatorParamsSchema.parse({ neurons: 1024, layers: 3, rows: 10, structure: 'random', ...extra });
    // The defaults, stated once in the schema: 32 inputs per neuron, 1.5-2.5 % of the rows survive.
    assert.deepEqual([params({}).fanIn, params({}).survive, params({}).randomWeights], [{ min: 32, max: 32 }, { min: 0.015, max: 0.025 }, 'uniform']);
    assert.deepEqual(params({ fanIn: 16 }).fanIn, { min: 16, max: 16 }, 'a number in YAML');
    const refused = generatorParamsSchema.safeParse({ neurons: 1024, layers: 3, fanIn: '8-x' });
    assert.equal(refused.success ? '' : refused.error.issues[0]!.message, 'a number or a range A-B, not "8-x"');
    const base = { format: 'binary', gzip: false, out: dir, threads: 0, tolerance: 0 } as const;
    assert.equal(validateGenerate({ ...params({}), ...base }), undefined);
    assert.equal(validateGenerate({ ...params({ bias: -0.2 }), ...base }), -0.2);
    assert.throws(() => validateGenerate({ ...params({ fanIn: '40-20' }), ...base }), /--fan-in must satisfy/);
    assert.throws(() => validateGenerate({ ...params({ survive: '0.5-1.5' }), ...base }), /--survive must satisfy/);
  });
});
