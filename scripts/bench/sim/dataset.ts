// Inputs for a simulated run: any number of rows (one nonzero each, enough for the coordinator to
// count and stream them) and a truth file; or the official sample repeated, for real workers. Simulated workers answer from the truth file, so a run
// PASSES exactly when every row was answered once and gathered in order.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { writeFileAtomic } from '../../../common/atomic-file.js';

export interface SimDataset {
  input: string;
  truth: string;
  rows: number;
}

/** Rows 1..rows; every seventh (r ≡ 3 mod 7) is a category. Written (whole, or not at all) under `dir`, one directory per size. */
export function syntheticDataset(dir: string, rows: number, neurons: number): SimDataset {
  const out = join(dir, `sim-${rows}`);
  const input = join(out, `sparse-images-${neurons}.tsv`);
  const truth = join(out, 'categories.tsv');
  const lines: string[] = [];
  const categories: string[] = [];
  for (let r = 1; r <= rows; r++) {
    lines.push(`${r}\t${((r * 7919) % neurons) + 1}\t1`);
    if (r % 7 === 3) categories.push(`${r}`);
  }
  writeFileAtomic(input, `${lines.join('\n')}\n`);
  writeFileAtomic(truth, `${categories.join('\n')}\n`);
  return { input, truth, rows };
}

/**
 * The official 1200-image sample `times` times over (rows renumbered), with its official truth
 * shifted to match: a run of real workers that takes long enough to time, with a real answer.
 */
export function repeatedSample(dir: string, input: string, truth: string, times: number): SimDataset {
  const out = join(dir, `sample-x${times}`);
  const rows = 1200;
  const lines = gunzipSync(readFileSync(input)).toString('utf8').trim().split('\n');
  const categories = readFileSync(truth, 'utf8').split('\n').filter((line) => /^\d+$/.test(line.trim())).map(Number);
  const inputOut = join(out, 'sparse-images-1024.tsv');
  const truthOut = join(out, 'categories.tsv');
  const repeated: string[] = [];
  const shifted: number[] = [];
  for (let k = 0; k < times; k++) {
    for (const line of lines) {
      const [row, ...rest] = line.split('\t');
      repeated.push([Number(row) + k * rows, ...rest].join('\t'));
    }
    shifted.push(...categories.map((row) => row + k * rows));
  }
  writeFileAtomic(inputOut, `${repeated.join('\n')}\n`);
  writeFileAtomic(truthOut, `${shifted.join('\n')}\n`);
  return { input: inputOut, truth: truthOut, rows: rows * times };
}
