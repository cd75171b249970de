// Inputs for a simulated run: any number of rows (one nonzero each, enough for the coordinator to
// count and stream them) and a truth file. Simulated workers answer from the truth file, so a run
// PASSES exactly when every row was answered once and gathered in order.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SimDataset {
  input: string;
  truth: string;
  rows: number;
}

/** Rows 1..rows; every seventh (r ≡ 3 mod 7) is a category. Written once per size under `dir`. */
export function syntheticDataset(dir: string, rows: number, neurons: number): SimDataset {
  const out = join(dir, `sim-${rows}`);
  mkdirSync(out, { recursive: true });
  const input = join(out, `sparse-images-${neurons}.tsv`);
  const truth = join(out, 'categories.tsv');
  const lines: string[] = [];
  const categories: string[] = [];
  for (let r = 1; r <= rows; r++) {
    lines.push(`${r}\t${((r * 7919) % neurons) + 1}\t1`);
    if (r % 7 === 3) categories.push(`${r}`);
  }
  writeFileSync(input, `${lines.join('\n')}\n`);
  writeFileSync(truth, `${categories.join('\n')}\n`);
  return { input, truth, rows };
}
