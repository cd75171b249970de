// Where the benchmarks find their inputs: the real official 1024x120 sample committed under
// data/hpec-1024, and challenge-like inputs made by `snig generate` (cached under build/bench).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Scratch space for benchmark artefacts (ignored by git). */
export const workDir = join(repoRoot, 'build', 'bench');

/** The real official network and the first 1200 official images with their official truth. */
export const official = {
  modelDir: join(repoRoot, 'data', 'hpec-1024', 'neuron1024'),
  images: join(repoRoot, 'data', 'hpec-1024', 'sparse-images-1024-first1200.tsv.gz'),
  truth: join(repoRoot, 'data', 'hpec-1024', 'first1200-l120-categories.tsv'),
  neurons: 1024,
  layers: 120,
  bias: -0.3,
} as const;

/**
 * Challenge-like input rows for the official 1024-neuron network, made by `snig generate` from the
 * 1200 real images (seeded augmentations), written once and reused by later runs.
 */
export function generatedInputs(rows: number, seed: number): string {
  const path = join(workDir, 'data', `sparse-images-1024-r${rows}-s${seed}.tsv`);
  if (existsSync(path)) return path;
  mkdirSync(dirname(path), { recursive: true });
  process.stderr.write(`generating ${rows} input rows (seed ${seed}) into ${path}\n`);
  execFileSync(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'cli', 'main.ts'), 'generate', '--neurons', '1024', '--inputs', path,
      '--rows', String(rows), '--seed', String(seed), '--source', official.images],
    { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  return path;
}
