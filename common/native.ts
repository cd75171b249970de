// The whole native surface of the addon (native/addon), declared in one place. TypeScript validates
// options and applies defaults before calling in; the native side trusts what it receives.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { EngineKind, Kernel, WeightMode } from './engine-options.js';

export interface NativeGpu {
  id: number;
  name: string;
  memoryBytes: number;
  multiprocessors: number;
  computeCapability: string;
}

export interface NativeInfo {
  version: string;
  cudaCompiled: boolean;
  gpus: NativeGpu[];
  threads: number; // hardware threads the CPU engine can use
}

/** A loaded, validated model. Native memory is released by close() (safe to call twice). */
export interface NativeModel {
  readonly neurons: number;
  readonly layers: number;
  readonly nnz: number;
  readonly indexBytes: number;
  readonly checksum: number; // CRC-32 over N, the layer table and every layer's arrays
  /** Each layer's scalar bias (the double parsed from its text); NaN for a layer with per-neuron biases. */
  readonly biases: Float64Array;
  close(): void;
}

/** Sparse input rows (CSR over N columns): in memory, or a mapped binary input file read range by range. */
export interface NativeInputs {
  readonly rows: number;
  readonly neurons: number;
  readonly nnz: number;
  /** Bytes of the input file read so far (a TSV file is read whole; 0 for rows made in memory). */
  readonly bytesRead: number;
  /** Whether the rows come from a mapped binary input file (read range by range). */
  readonly mapped: boolean;
  /** Rows [begin, end) as compact arrays, for sending over the wire. */
  toArrays(begin: number, end: number): InputArrays;
  close(): void;
}

export interface InputArrays {
  neurons: number;
  rowptr: Float64Array; // rows + 1 offsets into cols/values, starting at 0
  cols: Uint16Array | Uint32Array; // 0-based; 16-bit up to N = 65536
  values?: Float32Array; // absent when every value is 1
}

export interface NativeProgress {
  layersDone: number;
  layers: number;
  liveRows: number;
  rowsDone: number;
  rowsTotal: number;
}

export interface NativeInferOptions {
  rowBegin: number;
  rowEnd: number;
  precision: 'f32' | 'f64';
  rowSums: boolean;
  finalRows: boolean;
  trace: boolean;
  onProgress?: (progress: NativeProgress) => void;
  cancel?: NativeCancelToken;
}

export interface NativeInferResult {
  categories: Float64Array; // 1-based input rows whose final row is nonzero, ascending
  rowSums?: Float64Array;
  finalRows?: Float32Array; // rows × N, row-major
  deathLayer?: Uint32Array;
  minMargin?: Float64Array;
  seconds: number; // the native call (CUDA: with the input upload)
  gpuSeconds?: number; // CUDA: the busiest GPU's event-timed compute
  kernel: string;
}

export interface NativeEngine {
  infer(inputs: NativeInputs, options: NativeInferOptions): Promise<NativeInferResult>;
  close(): void;
}

export interface NativeCancelToken {
  cancel(): void;
}

/** Complete engine options (common/engine-options.ts says what each means); C++ applies no defaults. */
export interface NativeEngineOptions {
  engine: EngineKind;
  threads: number; // 0: all hardware threads
  gpus: number[]; // CUDA devices (the CPU engine: none)
  kernel: Kernel;
  weights: WeightMode;
  batchRows: number; // rows per GPU batch; 0: sized from each GPU's memory
}

/** A RadiX-Net of the challenge's shape (native/core/generator/radixnet.hpp). */
export interface NativeRadixNetSpec {
  structure?: 'radix';
  neurons: number; // 16 * 2^G
  layers: number;
  bias: number;
  seed: number;
  threads: number;
}

/** A network without structure (native/core/generator/random_net.hpp). */
export interface NativeRandomNetSpec {
  structure: 'random';
  neurons: number;
  layers: number;
  fanInMin: number; // distinct random inputs per neuron, drawn from [fanInMin, fanInMax]
  fanInMax: number;
  weights: RandomWeights;
  bias: number;
  seed: number;
  threads: number;
}

export type RandomWeights = 'uniform' | 'positive' | 'mixed';

/** The bias chooseSurvivalBias set on a model, and the share of the sample's rows it keeps alive. */
export interface NativeSurvivalBias {
  bias: number;
  survivors: number;
  steps: number;
}

/** Images derived from source images (native/core/generator/image_augment.hpp). */
export interface NativeImageSpec {
  neurons: number; // a perfect square
  rows: number;
  seed: number;
  augment: boolean; // false: the source images, only upscaled
  threads: number;
}

export interface NativeTruthSpec {
  tolerance: number; // rows whose float64 minMargin is below it are fragile
  maxAttempts: number;
}

/** Generated rows with every rounding-fragile one redrawn, and their float64 truth. */
export interface NativeRobustImages {
  inputs: NativeInputs;
  categories: Float64Array; // 1-based
  deathLayer: Uint32Array; // float64 trace per row (0: survived)
  replacedRows: number;
  redraws: number;
  rounds: number;
}

/** The float32 and float64 verdicts per row (fragile: deathLayer differs or margin below tolerance). */
export interface NativeRowClassification {
  fragile: Uint8Array;
  deathLayer32: Uint32Array;
  deathLayer64: Uint32Array;
  minMargin64: Float64Array;
  categories64: Float64Array;
}

export interface NativeAddon {
  info(): NativeInfo;
  /** The CUDA kernel `--kernel auto` picks for the model, from its structure, and why. */
  kernelChoice(model: NativeModel): Promise<{ kernel: 'fast' | 'general'; reason: string }>;
  /**
   * `lazy`: a binary model's layers are read (and checked) when an engine first needs them, not now;
   * the fast kernel with its reduction in the cache never does (native/core/model.hpp, deferBlocks).
   */
  loadModel(options: { path: string; layers: number; bias?: number; threads: number; lazy?: boolean }): Promise<NativeModel>;
  /** Whether `path` is a file in the binary model format (`snig convert`); false for a directory. */
  isBinaryModel(path: string): boolean;
  /** The challenge's bias for N = 1024/4096/16384/65536 (native/core/model.cpp); undefined for another N. */
  challengeBias(neurons: number): number | undefined;
  /** A TSV file (plain or gzipped) is parsed; a binary input file (.snigrows) is mapped. */
  readInputs(options: { path: string; neurons: number; rows: number }): Promise<NativeInputs>;
  inputsFromArrays(arrays: InputArrays): NativeInputs;
  readCategories(options: { path: string; maxRow: number }): Promise<Float64Array>;
  writeCategories(options: { path: string; rows: Float64Array; provenance: string[] }): Promise<void>;
  writeModelBinary(model: NativeModel, path: string): Promise<void>;
  writeModelTsv(model: NativeModel, options: { dir: string; gzip: boolean }): Promise<void>;
  /** The binary input format for a path ending in .snigrows, else TSV (gzipped for .gz). */
  writeInputs(inputs: NativeInputs, path: string): Promise<void>;
  createEngine(model: NativeModel, options: NativeEngineOptions): Promise<NativeEngine>;
  /**
   * Rows [rowBegin, rowEnd) of `inputs` as new inputs held where `engine` reads them fastest, once for
   * the calls to come (a mapped file's range read and checked first): the CUDA engine's in page-locked
   * memory, sent by DMA on each call; the CPU engine's in memory as it reads them. They keep their row
   * numbers among `inputs`' rows; only they can be inferred on, and only by a CUDA engine if it placed them.
   */
  placeInputs(engine: NativeEngine, inputs: NativeInputs, range: { rowBegin: number; rowEnd: number }): Promise<NativeInputs>;
  CancelToken: new () => NativeCancelToken;
  generateModel(spec: NativeRadixNetSpec | NativeRandomNetSpec): Promise<NativeModel>;
  chooseSurvivalBias(model: NativeModel, sample: NativeInputs, options: { low: number; high: number; threads: number }): Promise<NativeSurvivalBias>;
  generateInputs(source: NativeInputs, spec: NativeImageSpec): Promise<NativeInputs>;
  generateRobustInputs(
    model: NativeModel,
    source: NativeInputs,
    spec: NativeImageSpec & NativeTruthSpec,
  ): Promise<NativeRobustImages>;
  classifyRows(model: NativeModel, inputs: NativeInputs, options: { tolerance: number; threads: number }): Promise<NativeRowClassification>;
}

/** Native errors carry one of these codes. */
export type NativeErrorCode = 'E_FORMAT' | 'E_IO' | 'E_ARGUMENT' | 'E_CANCELLED' | 'E_CUDA';

/** Whether `error` came from the addon (with `code`, of that code). */
export function isNativeError(error: unknown, code?: NativeErrorCode): error is Error & { code: NativeErrorCode } {
  if (!(error instanceof Error) || !('code' in error)) return false;
  const actual = (error as { code: unknown }).code;
  return typeof actual === 'string' && actual.startsWith('E_') && (code === undefined || actual === code);
}

function addonPath(): string {
  const override = process.env.SNIG_ADDON; // a specific build of snig.node (tests of other builds)
  if (override) return override;
  // From common/ (sources, via tsx) or dist/common/ (built): the package root holds build/.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 3; i++) {
    const candidate = join(dir, 'build', 'Release', 'snig.node');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('the native addon is not built: run `npm install` (build/Release/snig.node is missing)');
}

let loaded: NativeAddon | undefined;

/** The addon, loaded on first use. */
export function native(): NativeAddon {
  // OpenMP threads sleep rather than spin between parallel regions: the engine shares the machine
  // with node's own threads and, in local clusters, with other workers. Read when the addon loads.
  process.env.OMP_WAIT_POLICY ??= 'passive';
  loaded ??= createRequire(import.meta.url)(addonPath()) as NativeAddon;
  return loaded;
}
