// Inputs placed for an engine (native placeInputs, Engine.place): rows of a TSV file or of a mapped
// binary file, read once into the form the engine reads, keep their row numbers and give the official
// truth; rows outside the placed range are refused. The CUDA engine's part runs where a GPU is seen.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { openInputs, openModel, readTruth } from '../common/data.js';
import { Engine } from '../common/engine.js';
import { native, type NativeEngine, type NativeInputs, type NativeModel } from '../common/native.js';
import { official, tempDir } from './helpers.js';

type NativeError = Error & { code?: string };
const refused = (pattern: RegExp) => (error: NativeError) => {
  assert.equal(error.code, 'E_ARGUMENT', error.message);
  assert.match(error.message, pattern);
  return true;
};

async function nativeEngine(model: NativeModel, engine: 'cpu' | 'cuda'): Promise<NativeEngine> {
  return native().createEngine(model, { engine, threads: 2, gpus: engine === 'cuda' ? [0] : [], kernel: 'auto', weights: 'auto', batchRows: 0 });
}

async function categories(engine: NativeEngine, inputs: NativeInputs, rowBegin: number, rowEnd: number): Promise<number[]> {
  const result = await engine.infer(inputs, { rowBegin, rowEnd, precision: 'f32', rowSums: false, finalRows: false, trace: false });
  return Array.from(result.categories);
}

describe('inputs placed for an engine', () => {
  const engines = native().info().gpus.length > 0 ? (['cpu', 'cuda'] as const) : (['cpu'] as const);

  it('keep their row numbers and give the official truth, from TSV and from a mapped binary file', async () => {
    const model = await openModel({ model: official.model });
    const tsv = await openInputs(official.images, model.neurons);
    const binary = `${tempDir()}/images.snigrows`;
    await native().writeInputs(tsv, binary);
    const truth = await readTruth(official.truth, tsv.rows);
    const [begin, end] = [300, 1100];
    const expected = truth.filter((row) => row > begin && row <= end);
    assert.ok(expected.length > 0 && expected.length < truth.length, 'the range holds some truth rows, not all');
    for (const kind of engines) {
      const engine = await nativeEngine(model, kind);
      for (const path of [official.images, binary]) {
        const inputs = await openInputs(path, model.neurons);
        const placed = await native().placeInputs(engine, inputs, { rowBegin: begin, rowEnd: end });
        assert.equal(placed.rows, inputs.rows, `${kind}, ${path}: the placed rows keep the set's numbering`);
        assert.deepEqual(await categories(engine, placed, begin, end), expected, `${kind}, ${path}`);
        assert.deepEqual(await categories(engine, placed, begin + 100, end - 100), expected.filter((row) => row > begin + 100 && row <= end - 100));
        await assert.rejects(categories(engine, placed, begin - 1, end), refused(/rows 300\.\.1100 are not among the placed rows 301\.\.1100/));
        placed.close();
        inputs.close();
      }
      engine.close();
    }
    tsv.close();
    model.close();
  });

  it('are placed by the CPU engine as the rows it reads, and by Engine.place only for CUDA with pinned input memory', async () => {
    const model = await openModel({ model: official.model });
    const inputs = await openInputs(official.images, model.neurons);
    const engine = await nativeEngine(model, 'cpu');
    const placed = await native().placeInputs(engine, inputs, { rowBegin: 10, rowEnd: 20 });
    assert.deepEqual(placed.toArrays(10, 20), inputs.toArrays(10, 20));
    engine.close();
    const cpu = await Engine.open(model, { engine: 'cpu' });
    assert.equal(await cpu.place(inputs), undefined);
    cpu.close();
    if (engines.length > 1) {
      const pageable = await Engine.open(model, { engine: 'cuda', inputMemory: 'pageable' });
      assert.equal(await pageable.place(inputs), undefined);
      pageable.close();
      const cuda = await Engine.open(model, { engine: 'cuda' });
      const pinned = await cuda.place(inputs);
      assert.ok(pinned);
      assert.throws(() => pinned.toArrays(0, 10), refused(/placed inputs are not sent/));
      const other = await nativeEngine(model, 'cpu');
      await assert.rejects(categories(other, pinned, 0, 10), refused(/placed for the CUDA engine/));
      other.close();
      pinned.close();
      cuda.close();
    }
    inputs.close();
    model.close();
  });
});
