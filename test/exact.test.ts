// What "exact" means (issue 11): the float64 engine computes the challenge's double-precision
// function (the bias and weights as the doubles of their text), and every engine puts the bias where
// the challenge's reference does (Y = Z + logical(Z) .* b, per neuron where a bias file says so).
// The judge is the plain TypeScript reference in helpers.ts, never an engine.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { openInputs, openModel } from '../common/data.js';
import { Engine } from '../common/engine.js';
import { native } from '../common/native.js';
import { categoriesOf, naiveInference, random, randomNetwork, tempDir, writeNetwork, type Edge, type SmallNetwork } from './helpers.js';

const FAN_IN = 12;

/**
 * A network whose rows sit near an unstable fixed point: every output reads FAN_IN inputs whose
 * decimal weights (4 places, positive and negative, none exactly a float) sum to 2 in decimal, so a
 * uniform row y maps to 2y + b, and y = -b is unstable: a deviation doubles every layer. The rows
 * are within a few float32 steps of -b, so whether a row lives depends on the last bits of the bias.
 */
function nearFixedPoint(seed: number, n: number, layers: number, bias: number, rowCount: number): SmallNetwork {
  const rand = random(seed);
  const net: SmallNetwork = { n, bias, layers: [], rows: [] };
  for (let l = 0; l < layers; l++) {
    const edges: Edge[] = [];
    for (let j = 0; j < n; j++) {
      const inputs = new Set<number>();
      while (inputs.size < FAN_IN) inputs.add(Math.floor(rand() * n));
      let rest = 20000; // 2.0000 in units of 1e-4
      [...inputs].forEach((input, k) => {
        const units = k === FAN_IN - 1 ? rest : Math.round((rand() * 0.5 - 0.12) * 1e4);
        rest -= units;
        edges.push({ input, output: j, weight: units / 1e4 });
      });
    }
    net.layers.push(edges);
  }
  for (let r = 0; r < rowCount; r++) {
    net.rows.push(Array.from({ length: n }, () => Math.fround(-bias + (rand() - 0.5) * 1.5e-7)));
  }
  return net;
}

async function runCpu(modelPath: string, images: string, net: SmallNetwork, precision: 'f32' | 'f64') {
  const model = await openModel({ model: modelPath, bias: net.bias });
  const inputs = await openInputs(images, net.n);
  const engine = await Engine.open(model, { engine: 'cpu', threads: 2 });
  try {
    return await engine.infer(inputs, { precision, rowSums: true, finalRows: true });
  } finally {
    engine.close();
  }
}

function assertRowSums(got: ArrayLike<number> | undefined, reference: Float64Array[], tolerance: number): void {
  reference.forEach((row, r) => {
    const want = row.reduce((a, b) => a + b, 0);
    const sum = got?.[r] ?? NaN;
    assert.ok(Math.abs(sum - want) <= tolerance * Math.max(1, Math.abs(want)), `row ${r + 1}: sum ${sum} vs ${want}`);
  });
}

describe('float64 is the double-precision function', () => {
  for (const [seed, n, layers, bias] of [[11, 64, 64, -0.3], [12, 256, 60, -0.35]] as const) {
    it(`equals the double reference near the fixed point (N=${n}, ${layers} layers, bias ${bias})`, async () => {
      const net = nearFixedPoint(seed, n, layers, bias, 96);
      const reference = naiveInference(net, 'f64');
      const expected = categoriesOf(reference);
      assert.ok(expected.length > 0 && expected.length < net.rows.length, `${expected.length} live rows: the set must be mixed`);
      // The network is sensitive to the bias's last bits: float32(bias) as a double gives another answer.
      const floatBias = categoriesOf(naiveInference({ ...net, bias: Math.fround(bias) }, 'f64'));
      assert.notDeepEqual(floatBias, expected, 'rows near the fixed point must tell -0.3 from float32(-0.3)');

      const dir = tempDir();
      const files = writeNetwork(dir, net, seed);
      const fromTsv = await runCpu(files.model, files.images, net, 'f64');
      assert.deepEqual(fromTsv.categories, expected);
      assertRowSums(fromTsv.rowSums, reference, 1e-12);

      // The binary model keeps the exact weights and bias: the same answer from .snig.
      const tsvModel = await openModel({ model: files.model, bias });
      await native().writeModelBinary(tsvModel, join(dir, 'model.snig'));
      const fromBinary = await runCpu(join(dir, 'model.snig'), files.images, net, 'f64');
      assert.deepEqual(fromBinary.categories, expected);
      assert.deepEqual(Array.from(fromBinary.rowSums ?? []), Array.from(fromTsv.rowSums ?? []));
    });
  }
});

describe('the bias reaches only the nonzero entries of Y·W', () => {
  it('a row that reaches no output stays zero under a positive bias (8 neurons, one layer)', async () => {
    // Row 1 lights neuron 8, which feeds nothing; row 2 lights neuron 1, which feeds output 1.
    const net: SmallNetwork = {
      n: 8,
      bias: 0.1,
      layers: [[1, 2, 3, 4].map((i) => ({ input: i - 1, output: i - 1, weight: 0.5 }))],
      rows: [[0, 0, 0, 0, 0, 0, 0, 1], [1, 0, 0, 0, 0, 0, 0, 0]],
    };
    assert.deepEqual(categoriesOf(naiveInference(net, 'f64')), [2]);
    const files = writeNetwork(tempDir(), net);
    for (const precision of ['f32', 'f64'] as const) {
      const outcome = await runCpu(files.model, files.images, net, precision);
      assert.deepEqual(outcome.categories, [2], precision);
      assertRowSums(outcome.rowSums, naiveInference(net, precision), 0);
    }
  });

  it('positive, negative and per-neuron biases match the reference in float32 and float64', async () => {
    const net = randomNetwork(21, 96, 9, 120);
    const rand = random(22);
    // Bias files: layers 2, 5 and 8 per-neuron decimals in [-0.6, 0.3), layer 4 positive everywhere;
    // the other layers take the scalar -0.3.
    net.layerBiases = net.layers.map((_, l) => {
      if (l === 3) return Array.from({ length: net.n }, () => Math.round(rand() * 200) / 1000);
      if (l % 3 === 1) return Array.from({ length: net.n }, () => Math.round(rand() * 900 - 600) / 1000);
      return undefined;
    });
    const files = writeNetwork(tempDir(), net);
    for (const precision of ['f32', 'f64'] as const) {
      const reference = naiveInference(net, precision);
      const expected = categoriesOf(reference);
      assert.ok(expected.length > 0 && expected.length < net.rows.length, `${precision}: ${expected.length} live rows`);
      const outcome = await runCpu(files.model, files.images, net, precision);
      assert.deepEqual(outcome.categories, expected, precision);
      assertRowSums(outcome.rowSums, reference, precision === 'f64' ? 1e-12 : 1e-5);
    }
    // Stored in the binary model, bias vectors and all.
    const dir = tempDir();
    const model = await openModel({ model: files.model, bias: net.bias });
    assert.ok(Number.isNaN(model.biases[1]) && model.biases[0] === net.bias);
    await native().writeModelBinary(model, join(dir, 'model.snig'));
    const binary = await openModel({ model: join(dir, 'model.snig') });
    assert.equal(binary.checksum, model.checksum);
    const engine = await Engine.open(binary, { engine: 'cpu' });
    const outcome = await engine.infer(await openInputs(files.images, net.n), { precision: 'f64' });
    engine.close();
    assert.deepEqual(outcome.categories, categoriesOf(naiveInference(net, 'f64')));
    // Written back in the official layout (bias files too), it reads as the same model.
    await native().writeModelTsv(binary, { dir: join(dir, 'tsv'), gzip: true });
    assert.equal((await openModel({ model: join(dir, 'tsv'), bias: net.bias })).checksum, model.checksum);
  });

  it('names a bias file with the wrong number of values', async () => {
    const net = randomNetwork(3, 16, 2, 4);
    const files = writeNetwork(tempDir(), net);
    writeFileSync(join(files.model, 'n16-l2-bias.tsv'), '0.1\n-0.2\n');
    await assert.rejects(openModel({ model: files.model, bias: -0.3 }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'E_FORMAT');
      assert.match(error.message, /n16-l2-bias\.tsv: expected 16 biases \(one per neuron\), found 2/);
      return true;
    });
  });
});
