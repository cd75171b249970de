// Small networks in the official TSV layout, from a seeded generator so failures reproduce: the
// tests' random networks and the GPU fallback check's models (scripts/device/make-fallback-models.ts).
import { join } from 'node:path';

import { writeFileAtomic } from '../common/atomic-file.js';

/** A seeded generator (mulberry32), so failures reproduce. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Edge {
  input: number; // 0-based
  output: number; // 0-based
  weight: number;
}

export interface SmallNetwork {
  n: number;
  bias: number; // every layer's, unless it has its own in layerBiases
  layers: Edge[][];
  rows: number[][]; // dense input rows
  /** Per layer, optionally: one bias per output neuron (written as the layer's bias file). */
  layerBiases?: Array<number[] | undefined>;
}

/** Writes the network in the official layout, lines shuffled; returns the model dir and image file. */
export function writeNetwork(dir: string, net: SmallNetwork, seed = 1): { model: string; images: string } {
  const rand = random(seed);
  const model = join(dir, `neuron${net.n}`);
  net.layers.forEach((edges, l) => {
    const lines = edges.map((e) => `${e.input + 1}\t${e.output + 1}\t${e.weight}`);
    shuffle(lines, rand);
    writeFileAtomic(join(model, `n${net.n}-l${l + 1}.tsv`), `${lines.join('\n')}\n`);
    const biases = net.layerBiases?.[l];
    if (biases) writeFileAtomic(join(model, `n${net.n}-l${l + 1}-bias.tsv`), `${biases.join('\n')}\n`);
  });
  const pixels: string[] = [];
  net.rows.forEach((row, r) => row.forEach((v, c) => v !== 0 && pixels.push(`${r + 1}\t${c + 1}\t${v}`)));
  shuffle(pixels, rand);
  const images = join(dir, `sparse-images-${net.n}.tsv`);
  writeFileAtomic(images, `${pixels.join('\n')}\n`);
  return { model, images };
}

function shuffle<T>(items: T[], rand: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
}
