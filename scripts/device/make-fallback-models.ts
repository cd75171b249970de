// Writes the non-RadiX networks of the GPU fallback check (scripts/device/fallback-check.mjs) as
// xz-compressed binary models under .device/fallback/, to carry to the GPU machine:
//   node --import tsx scripts/device/make-fallback-models.ts
// uniform32: 32 random inputs per neuron at 0.0625 (challenge weights, no shared input sets);
// weights: 8–48 random inputs with random weights; pairs: random columns, each repeated once (classes
// of two neurons, so the reduction merges only where it holds).
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { openInputs, openModel } from '../../common/data.js';
import { Engine } from '../../common/engine.js';
import { native } from '../../common/native.js';
import { random, writeNetwork, type Edge, type SmallNetwork } from '../small-network.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const images = join(root, 'data/hpec-1024/sparse-images-1024-first1200.tsv.gz'); // the first official images
const out = join(root, '.device', 'fallback');
const N = 1024;
const BIAS = -0.15; // keeps a mix of live and dead rows on the real images

function network(seed: number, layers: number, pairs: boolean, degree: (r: () => number) => number, weight: (r: () => number) => number): SmallNetwork {
  const rand = random(seed);
  const net: SmallNetwork = { n: N, bias: BIAS, layers: [], rows: [] };
  for (let l = 0; l < layers; l++) {
    const edges: Edge[] = [];
    let column: Edge[] = [];
    for (let j = 0; j < N; j++) {
      if (!(pairs && j % 2 === 1)) {
        const inputs = new Set<number>();
        const count = degree(rand);
        while (inputs.size < count) inputs.add(Math.floor(rand() * N));
        column = [...inputs].map((input) => ({ input, output: j, weight: weight(rand) }));
      }
      edges.push(...column.map((e) => ({ ...e, output: j })));
    }
    net.layers.push(edges);
  }
  return net;
}

const networks: Record<string, SmallNetwork> = {
  uniform32: network(11, 60, false, () => 32, () => 0.0625),
  weights: network(12, 30, false, (r) => 8 + Math.floor(r() * 41), (r) => Math.fround(0.02 + r() * 0.1)),
  pairs: network(13, 30, true, () => 32, (r) => Math.fround(0.04 + r() * 0.05)),
};

mkdirSync(out, { recursive: true });
const inputs = await openInputs(images, N);
for (const [name, net] of Object.entries(networks)) {
  const dir = join(out, name);
  rmSync(dir, { recursive: true, force: true });
  const files = writeNetwork(dir, net);
  const model = await openModel({ model: files.model, bias: BIAS });
  const engine = await Engine.open(model, { engine: 'cpu' });
  const { categories } = await engine.infer(inputs);
  engine.close();
  const path = join(out, `${name}.snig`);
  await native().writeModelBinary(model, path);
  model.close();
  rmSync(dir, { recursive: true, force: true });
  execFileSync('xz', ['-T0', '-6', '-f', path]);
  console.log(`${path}.xz: ${net.layers.length} layers, ${categories.length} of ${inputs.rows} rows survive on the CPU`);
}
inputs.close();
