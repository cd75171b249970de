// The native CPU engine against the naive TypeScript reference, and the real official sample.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { openInputs, openModel, readTruth } from '../common/data.js';
import { Engine } from '../common/engine.js';
import { native } from '../common/native.js';
import { naiveInference, official, randomNetwork, tempDir, writeNetwork } from './helpers.js';

describe('CPU engine', () => {
  it('finds exactly the 19 truth rows of the official 1024x120 network on the 1200 real images', async () => {
    const model = await openModel({ model: official.model });
    assert.equal(model.neurons, 1024);
    assert.equal(model.layers, 120);
    assert.equal(model.nnz, 120 * 32768);
    const inputs = await openInputs(official.images, model.neurons);
    assert.equal(inputs.rows, 1200);
    const truth = await readTruth(official.truth, inputs.rows);
    assert.equal(truth.length, 19);
    for (const precision of ['f32', 'f64'] as const) {
      const engine = await Engine.open(model, { engine: 'cpu' });
      const outcome = await engine.infer(inputs, { precision, trace: true });
      engine.close();
      assert.deepEqual(outcome.categories, truth, `${precision} categories`);
      // The live-row curve of the real images (issue 2): 1098, 98, 19, 19 after layers 1, 5, 15, 120.
      const death = Array.from(outcome.deathLayer ?? []);
      const live = (layer: number): number => death.filter((d) => d === 0 || d > layer).length;
      assert.deepEqual([1, 5, 15, 120].map(live), [1098, 98, 19, 19]);
    }
  });

  it('agrees with float64 on every row of the real sample but its exact ties', async () => {
    const model = await openModel({ model: official.model });
    const inputs = await openInputs(official.images, model.neurons);
    const engine = await Engine.open(model, { engine: 'cpu' });
    const f32 = await engine.infer(inputs, { precision: 'f32', trace: true, rowSums: true });
    const f64 = await engine.infer(inputs, { precision: 'f64', trace: true, rowSums: true });
    engine.close();
    assert.deepEqual(f32.categories, f64.categories);
    // A row may die at another layer only where real arithmetic ties (its float64 margin is rounding
    // noise: the real images hold such rows, e.g. 657 dies at layer 4 in float32, 5 in float64).
    const tie = (r: number): boolean => (f64.minMargin?.[r] ?? 0) < 1e-12;
    f32.deathLayer?.forEach((layer, r) => assert.ok(layer === f64.deathLayer?.[r] || tie(r), `row ${r + 1}: dies at ${layer} vs ${f64.deathLayer?.[r]}`));
    f32.rowSums?.forEach((sum, r) => {
      const ref = f64.rowSums?.[r] ?? NaN;
      assert.ok(Math.abs(sum - ref) <= 1e-5 * Math.max(1, Math.abs(ref)), `row ${r + 1}: ${sum} vs ${ref}`);
    });
  });

  for (const [seed, n] of [[1, 97], [2, 300], [3, 513]] as const) {
    it(`matches the naive reference on a random network (N=${n}, seed ${seed})`, async () => {
      const net = randomNetwork(seed, n, 7, 150);
      const files = writeNetwork(tempDir(), net, seed);
      const reference = naiveInference(net);
      const expected = reference.flatMap((row, r) => (row.some((v) => v !== 0) ? [r + 1] : []));
      assert.ok(expected.length > 0 && expected.length < net.rows.length, 'the network keeps some rows and kills others');

      const model = await openModel({ model: files.model, bias: net.bias });
      const inputs = await openInputs(files.images, n);
      assert.equal(inputs.rows, net.rows.length);
      for (const threads of [1, 2]) {
        const engine = await Engine.open(model, { engine: 'cpu', threads });
        const outcome = await engine.infer(inputs, { finalRows: true });
        engine.close();
        assert.deepEqual(outcome.categories, expected);
        const rows = outcome.finalRows ?? new Float32Array();
        reference.forEach((row, r) =>
          row.forEach((want, j) => {
            const got = rows[r * n + j] ?? NaN;
            assert.ok(Math.abs(got - want) <= 1e-5 * Math.max(1, Math.abs(want)), `row ${r + 1}, neuron ${j + 1}: ${got} vs ${want}`);
          }),
        );
      }
    });
  }

  it('infers a sub-range of rows with global row numbers, and the binary model gives the same answer', async () => {
    const net = randomNetwork(7, 64, 5, 80);
    const dir = tempDir();
    const files = writeNetwork(dir, net);
    const reference = naiveInference(net);
    const tsvModel = await openModel({ model: files.model, bias: net.bias });
    await native().writeModelBinary(tsvModel, `${dir}/model.snig`);
    const binModel = await openModel({ model: `${dir}/model.snig` });
    assert.equal(binModel.checksum, tsvModel.checksum);
    const inputs = await openInputs(files.images, 64);
    const expected = reference.flatMap((row, r) => (r >= 20 && r < 60 && row.some((v) => v !== 0) ? [r + 1] : []));
    const engine = await Engine.open(binModel, { engine: 'cpu' });
    const outcome = await engine.infer(inputs, { range: [20, 60] });
    engine.close();
    assert.deepEqual(outcome.categories, expected);
    assert.equal(outcome.edges, 40 * binModel.nnz);
  });

  it('stops when cancelled, with a named error', async () => {
    const model = await openModel({ model: official.model });
    const inputs = await openInputs(official.images, model.neurons);
    const engine = await Engine.open(model, { engine: 'cpu' });
    const abort = new AbortController();
    const running = engine.infer(inputs, { signal: abort.signal });
    abort.abort(); // the engine checks between layers; 120 layers take far longer than this
    await assert.rejects(running, (error: Error & { code?: string }) => error.code === 'E_CANCELLED');
    engine.close();
  });

  // Without a GPU the CUDA engine is refused with E_CUDA and 'auto' picks the CPU; with GPUs, 'auto'
  // picks CUDA and the CUDA engine finds the official truth rows in both precisions.
  it('picks and runs the engine the machine has: CUDA on a GPU host, else the CPU with CUDA refused', async () => {
    const gpus = native().info().gpus;
    const model = await openModel({ model: official.model });
    if (gpus.length === 0) {
      await assert.rejects(Engine.open(model, { engine: 'cuda' }), (error: Error & { code?: string }) => error.code === 'E_CUDA');
      assert.equal((await Engine.open(model, { engine: 'auto' })).engine, 'cpu');
      return;
    }
    for (const gpu of gpus) assert.ok(gpu.name !== '' && gpu.memoryBytes > 0 && gpu.multiprocessors > 0, JSON.stringify(gpu));
    const inputs = await openInputs(official.images, model.neurons);
    const truth = await readTruth(official.truth, inputs.rows);
    const engine = await Engine.open(model, { engine: 'auto' });
    assert.equal(engine.engine, 'cuda');
    for (const precision of ['f32', 'f64'] as const) {
      assert.deepEqual((await engine.infer(inputs, { precision })).categories, truth, `${precision} categories`);
    }
    engine.close();
    await assert.rejects(Engine.open(model, { engine: 'cuda', gpus: [gpus.length] }), (error: Error & { code?: string }) => error.code === 'E_ARGUMENT');
  });
});
