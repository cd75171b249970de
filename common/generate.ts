// `snig generate`, the orchestration: a challenge-shaped RadiX-Net (or, with structure "random", a
// network without structure whose bias is bisected so that 1.5-2.5 % of the rows survive), input rows
// augmented from the real official images, their robust float64 truth (rounding-fragile rows redrawn),
// the live-row curve next to that of the real images (live-curve.ts), and the files in the official
// layout. The work itself is native (native/core/generator/); this file validates options, sequences
// the steps and writes the files.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Logger } from 'pino';

import { FRAGILE_MARGIN } from './verdict.js';
import { Engine } from './engine.js';
import type { GeneratorParams } from './config/generator.js';
import { liveCurve, type LiveCurve } from './live-curve.js';
import { native, type NativeInputs, type NativeModel, type NativeRobustImages } from './native.js';

export const MODEL_FORMATS = ['tsv', 'binary', 'both'] as const;
export type ModelFormat = (typeof MODEL_FORMATS)[number];

/** The generator's parameters (common/config/generator.ts, defaults applied) and where and how to write. */
export interface GenerateOptions extends GeneratorParams {
  format: ModelFormat;
  /** Gzip the TSV layer files. */
  gzip: boolean;
  out: string;
  /** CPU threads (0: all). */
  threads: number;
  /** Rows whose float64 margin to zero after the bias falls below this are redrawn. */
  tolerance: number;
  /** The real images the rows derive from (default: the committed first 1200 official images). */
  source?: string;
}

export interface GenerateReport {
  /** inputs: the official TSV layout, always; inputsBinary: the binary input format, with a binary model. */
  files: { modelDir?: string; modelBinary?: string; inputs: string; inputsBinary?: string; truth: string };
  categories: number;
  rows: number;
  replacedRows: number;
  redraws: number;
  rounds: number;
  curve: LiveCurve;
  realCurve: LiveCurve;
  seconds: { model: number; inputsAndTruth: number; write: number };
}

/**
 * The same margin certified verification uses to call a row rounding-fragile (1e-3 absolute; see
 * native/core/generator/robust_truth.hpp for why).
 */
export const DEFAULT_TOLERANCE = FRAGILE_MARGIN;
const DEFAULT_MAX_ATTEMPTS = 64;
const REAL_IMAGES_FILE = 'sparse-images-1024-first1200.tsv.gz';

/** Rows the bias bisection of a random network runs on (the first rows of the generated set). */
const BIAS_SAMPLE_ROWS = 1000;

/** Generator options that cannot make a network (the message names the flag). */
export class GenerateError extends Error {}

function validateRandom(options: GenerateOptions): void {
  const n = options.neurons;
  const { min, max } = options.fanIn;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || min > max || max > n) {
    throw new GenerateError(`--fan-in must satisfy 1 <= A <= B <= N (${n}), not ${min}-${max}`);
  }
  const { survive } = options;
  if (!(survive.min > 0 && survive.min <= survive.max && survive.max < 1)) {
    throw new GenerateError(`--survive must satisfy 0 < A <= B < 1, not ${survive.min}-${survive.max}`);
  }
}

/**
 * Checks what the parameters' schema (common/config/generator.ts, which every caller parses with)
 * cannot say alone: the shape N must have, and the fan-in and bias that depend on N. Returns the bias
 * to use (random: undefined = bisect).
 */
export function validateGenerate(options: GenerateOptions): number | undefined {
  const n = options.neurons;
  const random = options.structure === 'random';
  if (random) validateRandom(options);
  else if (!Number.isInteger(n) || n < 32 || (n & (n - 1)) !== 0) {
    throw new GenerateError(`--neurons must be 16 * 2^G (a power of two >= 32), not ${n}`);
  }
  if (!Number.isInteger(Math.sqrt(n))) {
    throw new GenerateError(`--neurons ${n}: generated images need a square side (N = 1024, 4096, 16384, 65536, ...)`);
  }
  if (random && options.bias === undefined) return undefined;
  const bias = options.bias ?? native().challengeBias(n);
  if (bias === undefined) {
    throw new GenerateError(`--bias is required for N = ${n} (defaults exist only for N = 1024, 4096, 16384, 65536)`);
  }
  if (!Number.isFinite(bias)) throw new GenerateError(`--bias must be a number, not ${bias}`);
  return bias;
}

/** The committed first 1200 official images, found from this file (sources or dist/). */
export function defaultSourceImages(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 3; i++) {
    const candidate = join(dir, 'data', 'hpec-1024', REAL_IMAGES_FILE);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new GenerateError(`the real images (data/hpec-1024/${REAL_IMAGES_FILE}) are missing from the package`);
}

function outputPaths(out: string, neurons: number, layers: number) {
  const dir = resolve(out);
  return {
    modelDir: join(dir, `neuron${neurons}`),
    modelBinary: join(dir, `neuron${neurons}-l${layers}.snig`),
    inputs: join(dir, `sparse-images-${neurons}.tsv.gz`),
    inputsBinary: join(dir, `sparse-images-${neurons}.snigrows`),
    truth: join(dir, `neuron${neurons}-l${layers}-categories.tsv`),
  };
}

function seconds(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

/** Rows nonzero per layer of the source images (upscaled, not augmented) on this network, float64. */
async function realImagesCurve(model: NativeModel, source: NativeInputs, options: GenerateOptions): Promise<LiveCurve> {
  const real = await native().generateInputs(source, {
    neurons: options.neurons,
    rows: source.rows,
    seed: 0,
    augment: false,
    threads: options.threads,
  });
  const engine = await Engine.open(model, { engine: 'cpu', threads: options.threads });
  try {
    const outcome = await engine.infer(real, { precision: 'f64', trace: true });
    return liveCurve(outcome.deathLayer!, options.layers);
  } finally {
    engine.close();
    real.close();
  }
}

/** What the network is, for the truth file's header. */
interface NetworkOrigin {
  bias: number;
  description: string;
}

function makeModel(options: GenerateOptions, bias: number | undefined): Promise<NativeModel> {
  const { neurons, layers, seed, threads } = options;
  if (options.structure !== 'random') return native().generateModel({ neurons, layers, bias: bias!, seed, threads });
  const { fanIn, randomWeights: weights } = options;
  return native().generateModel({ structure: 'random', neurons, layers, fanInMin: fanIn.min, fanInMax: fanIn.max, weights, bias: bias ?? 0, seed, threads });
}

/** A random network's bias, when not given: bisected on the first rows of the set (same seed). */
async function settleBias(model: NativeModel, source: NativeInputs, options: GenerateOptions, bias: number | undefined): Promise<NetworkOrigin> {
  const { fanIn } = options;
  const random = `random N=${options.neurons} L=${options.layers} fan-in=${fanIn.min}-${fanIn.max} weights=${options.randomWeights}`;
  if (options.structure !== 'random') return { bias: bias!, description: `RadiX-Net N=${options.neurons} L=${options.layers} bias=${bias}` };
  if (bias !== undefined) return { bias, description: `${random} bias=${bias}` };
  const { survive } = options;
  const sample = await native().generateInputs(source, {
    neurons: options.neurons,
    rows: Math.min(options.rows, BIAS_SAMPLE_ROWS),
    seed: options.seed,
    augment: true,
    threads: options.threads,
  });
  try {
    const found = await native().chooseSurvivalBias(model, sample, { low: survive.min, high: survive.max, threads: options.threads });
    const share = (100 * found.survivors).toFixed(2);
    return {
      bias: found.bias,
      description: `${random} bias=${found.bias} (bisected: ${share} % of the first ${sample.rows} rows survive in float32)`,
    };
  } finally {
    sample.close();
  }
}

/** Generates the network, the inputs and their truth, and writes them under options.out. */
export async function generate(options: GenerateOptions, log?: Logger): Promise<GenerateReport> {
  const givenBias = validateGenerate(options);
  const { neurons, layers, rows, seed, threads } = options;
  const addon = native();

  let start = process.hrtime.bigint();
  const model = await makeModel(options, givenBias);
  const sourcePath = options.source ?? defaultSourceImages();
  const source = await addon.readInputs({ path: sourcePath, neurons: 1024, rows: 0 });
  let set: NativeRobustImages | undefined;
  try {
    const origin = await settleBias(model, source, options, givenBias);
    const modelSeconds = seconds(start);
    log?.info({ neurons, layers, seed, nnz: model.nnz, seconds: modelSeconds }, `generated the network: ${origin.description}`);
    log?.info({ rows, tolerance: options.tolerance }, 'generating input rows; float32 and float64 traces on the CPU engine');
    start = process.hrtime.bigint();
    set = await addon.generateRobustInputs(model, source, {
      neurons,
      rows,
      seed,
      augment: true,
      threads,
      tolerance: options.tolerance,
      maxAttempts: DEFAULT_MAX_ATTEMPTS,
    });
    const truthSeconds = seconds(start);
    log?.info(
      { rows, categories: set.categories.length, replacedRows: set.replacedRows, redraws: set.redraws, seconds: truthSeconds },
      `generated ${rows} input rows with float64 truth; ${set.replacedRows} rounding-fragile rows replaced`,
    );
    const realCurve = await realImagesCurve(model, source, options);

    start = process.hrtime.bigint();
    const files = await writeFiles(model, set, options, provenance(options, origin, sourcePath, set.replacedRows));
    const writeSeconds = seconds(start);
    log?.info({ ...files, seconds: writeSeconds }, 'wrote the generated files');
    return {
      files,
      categories: set.categories.length,
      rows,
      replacedRows: set.replacedRows,
      redraws: set.redraws,
      rounds: set.rounds,
      curve: liveCurve(set.deathLayer, layers),
      realCurve,
      seconds: { model: modelSeconds, inputsAndTruth: truthSeconds, write: writeSeconds },
    };
  } finally {
    set?.inputs.close();
    source.close();
    model.close();
  }
}

/** Each file is written under a temporary name and renamed into place by the native writers. */
async function writeFiles(
  model: NativeModel,
  set: NativeRobustImages,
  options: GenerateOptions,
  provenanceLines: string[],
): Promise<GenerateReport['files']> {
  const addon = native();
  const paths = outputPaths(options.out, options.neurons, options.layers);
  const files: GenerateReport['files'] = { inputs: paths.inputs, truth: paths.truth };
  if (options.format !== 'binary') {
    await addon.writeModelTsv(model, { dir: paths.modelDir, gzip: options.gzip });
    files.modelDir = paths.modelDir;
  }
  if (options.format !== 'tsv') {
    await mkdir(dirname(paths.modelBinary), { recursive: true });
    await addon.writeModelBinary(model, paths.modelBinary);
    files.modelBinary = paths.modelBinary;
    await addon.writeInputs(set.inputs, paths.inputsBinary);
    files.inputsBinary = paths.inputsBinary;
  }
  await mkdir(dirname(paths.inputs), { recursive: true });
  await addon.writeInputs(set.inputs, paths.inputs);
  await addon.writeCategories({ path: paths.truth, rows: set.categories, provenance: provenanceLines });
  return files;
}

function provenance(options: GenerateOptions, origin: NetworkOrigin, source: string, replaced: number): string[] {
  const { rows, seed } = options;
  return [
    `generator: snig generate ${native().info().version}, ${origin.description} seed=${seed}`,
    `inputs: ${rows} rows augmented (seed ${seed}) from the real official images in ${basename(source)}`,
    'engine: snig CPU engine, precision f64 (generated truth, not the official challenge truth)',
    `robustness: ${replaced} rows redrawn whose live/dead state differed between f32 and f64 or whose margin was below ${options.tolerance}`,
    `date: ${new Date().toISOString()}`,
  ];
}
