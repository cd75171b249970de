// Shared test fixtures: the committed official data, temporary directories, small random networks
// (written in the official TSV layout by scripts/small-network.ts), and a deliberately naive
// reference implementation.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after } from 'node:test';

import { random, type Edge, type SmallNetwork } from '../scripts/small-network.js';

export { random, writeNetwork, type Edge, type SmallNetwork } from '../scripts/small-network.js';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const official = {
  model: join(root, 'data/hpec-1024/neuron1024'),
  images: join(root, 'data/hpec-1024/sparse-images-1024-first1200.tsv.gz'),
  truth: join(root, 'data/hpec-1024/first1200-l120-categories.tsv'),
};

/** A temporary directory removed when the test file ends. */
export function tempDir(prefix = 'snig-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true, maxRetries: 3 }));
  return dir;
}

/** A random network: every output gets between minIn and maxIn distinct inputs with random weights. */
export function randomNetwork(seed: number, n: number, layers: number, rowCount: number, minIn = 8, maxIn = 48): SmallNetwork {
  const rand = random(seed);
  const net: SmallNetwork = { n, bias: -0.3, layers: [], rows: [] };
  for (let l = 0; l < layers; l++) {
    const edges: Edge[] = [];
    for (let j = 0; j < n; j++) {
      const count = Math.min(n, minIn + Math.floor(rand() * (maxIn - minIn + 1)));
      const inputs = new Set<number>();
      while (inputs.size < count) inputs.add(Math.floor(rand() * n));
      for (const i of inputs) edges.push({ input: i, output: j, weight: Math.fround(0.02 + rand() * 0.12) });
    }
    net.layers.push(edges);
  }
  // Rows of varied density, so that with the default bias some rows die and others survive.
  for (let r = 0; r < rowCount; r++) {
    const density = 0.02 + rand() * 0.4;
    net.rows.push(Array.from({ length: n }, () => (rand() < density ? Math.fround(rand() * 2) : 0)));
  }
  return net;
}

/** Reads layers 1..layers of a model written in the official layout (no bias files) into a SmallNetwork without rows. */
export function readNetwork(dir: string, n: number, layers: number, bias: number): SmallNetwork {
  const net: SmallNetwork = { n, bias, layers: [], rows: [] };
  for (let l = 1; l <= layers; l++) {
    const lines = readFileSync(join(dir, `n${n}-l${l}.tsv`), 'utf8').trim().split('\n');
    net.layers.push(lines.map((line) => {
      const [i, j, w] = line.split('\t');
      return { input: Number(i) - 1, output: Number(j) - 1, weight: Number(w) };
    }));
  }
  return net;
}

export function writeText(path: string, text: string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/**
 * The naive reference, as the challenge's MATLAB reference defines a layer: dense rows, Z = Y W
 * output by output (inputs in ascending order), then Y = min(max(Z + logical(Z) .* b, 0), 32): the
 * bias reaches only the nonzero entries of Z. In 'f32' every weight, bias, product and sum is rounded
 * to float32 (Math.fround); in 'f64' it is plain JS numbers, i.e. IEEE doubles, with the weights and
 * biases as the doubles of their text. Returns the final rows.
 */
export function naiveInference(net: SmallNetwork, precision: 'f32' | 'f64' = 'f32'): Float64Array[] {
  const round = precision === 'f32' ? Math.fround : (x: number) => x;
  const byOutput = net.layers.map((edges) => {
    const lists: Edge[][] = Array.from({ length: net.n }, () => []);
    for (const e of edges) lists[e.output]?.push(e);
    for (const list of lists) list.sort((a, b) => a.input - b.input);
    return lists;
  });
  return net.rows.map((row) => {
    let y = Float64Array.from(row, (v) => Math.fround(v)); // inputs are read as float32
    byOutput.forEach((lists, l) => {
      const biases = net.layerBiases?.[l];
      const next = new Float64Array(net.n);
      lists.forEach((list, j) => {
        let z = 0;
        for (const e of list) z = round(z + round(round(e.weight) * (y[e.input] ?? 0)));
        const b = round(biases?.[j] ?? net.bias);
        next[j] = z === 0 ? 0 : Math.min(Math.max(round(z + b), 0), 32);
      });
      y = next;
    });
    return y;
  });
}

/** The 1-based rows whose final row is nonzero. */
export function categoriesOf(rows: Float64Array[]): number[] {
  return rows.flatMap((row, r) => (row.some((v) => v !== 0) ? [r + 1] : []));
}
