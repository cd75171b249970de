// The benchmarks' input sets: the real official 1024x120 sample committed under data/hpec-1024, and
// challenge-like sets made by `snig generate` (RadiX-Net 1024x120, rows augmented from the real
// images, float64 truth), generated once into a cache under .cache/bench and reused.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { DEFAULT_TOLERANCE, generate } from '../../common/generate.js';
import { formatCurves } from '../../common/live-curve.js';
import { cachedInputs } from '../../suite/input-cache.js';
import { generatorParamsSchema } from '../../common/config/generator.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Scratch space for benchmark artefacts (ignored by git; build/ belongs to cmake-js, which cleans it). */
export const workDir = join(repoRoot, '.cache', 'bench');

export const NEURONS = 1024;
export const LAYERS = 120;
export const BIAS = -0.3;

/** A model in the official TSV layout, input rows and their categories. */
export interface InputSet {
  label: string;
  modelDir: string;
  input: string;
  truth: string;
  /** Input rows to read (0: the file's largest row index). */
  rows: number;
}

/** The real official network and the first 1200 official images with their official truth. */
export const officialSample: InputSet = {
  label: 'official network, 1200 real images',
  modelDir: join(repoRoot, 'data', 'hpec-1024', 'neuron1024'),
  input: join(repoRoot, 'data', 'hpec-1024', 'sparse-images-1024-first1200.tsv.gz'),
  truth: join(repoRoot, 'data', 'hpec-1024', 'first1200-l120-categories.tsv'),
  rows: 0,
};

/** `snig generate --neurons 1024 --layers 120 --rows <rows> --seed <seed>`, cached. */
export async function generatedSet(rows: number, seed: number): Promise<InputSet> {
  const files = await cachedInputs(join(workDir, 'inputs'), generatorParamsSchema.parse({ neurons: NEURONS, layers: LAYERS, rows, seed }), async (params, out) => {
    process.stderr.write(`generating the ${NEURONS}x${LAYERS} network and ${rows} input rows (seed ${seed}) into ${out}\n`);
    const report = await generate({
      ...params, format: 'tsv', gzip: false, out, threads: 0, tolerance: DEFAULT_TOLERANCE,
    });
    process.stderr.write(`${formatCurves(report.curve, report.realCurve)}\n`);
    return { model: report.files.modelDir!, input: report.files.inputs, truth: report.files.truth };
  });
  return { label: `generated network, ${rows} rows (seed ${seed})`, modelDir: files.model, input: files.input, truth: files.truth, rows };
}
