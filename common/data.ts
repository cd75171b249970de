// Opening a run's data: the model (either format), the input rows and the truth, with the
// challenge's defaults. Every file error names the file and line (native readers).
import { native, type NativeInputs, type NativeModel } from './native.js';

export interface ModelSpec {
  /** A binary model file or a directory of official layer files (or their parent). */
  model: string;
  /** Layers to use (default: every layer present). */
  layers?: number;
  /** Bias for every layer (default: the challenge's for N = 1024/4096/16384/65536). */
  bias?: number;
  threads?: number;
  /** A binary model's layers read when an engine first needs them (a corrupt one is reported then). */
  lazy?: boolean;
}

/** Loads the model (binary file or official TSV layout) with the spec's layers and bias. */
export async function openModel(spec: ModelSpec): Promise<NativeModel> {
  return native().loadModel({
    path: spec.model,
    layers: spec.layers ?? 0,
    ...(spec.bias === undefined ? {} : { bias: spec.bias }),
    threads: spec.threads ?? 0,
    lazy: spec.lazy ?? false,
  });
}

/**
 * Opens the input rows for a model of N neurons: `sparse-images-<N>.tsv[.gz]` is parsed into memory,
 * a binary input file (`snig convert --inputs`) is mapped and only the rows used are read.
 */
export async function openInputs(path: string, neurons: number): Promise<NativeInputs> {
  return native().readInputs({ path, neurons, rows: 0 });
}

/** N from an official input file's name (`sparse-images-<N>.tsv[.gz]`), if it has one. */
export function neuronsFromName(path: string): number | undefined {
  const match = /sparse-images-(\d+)[^/]*$/.exec(path);
  return match ? Number(match[1]) : undefined;
}

/** Reads a categories file; rows must lie within 1..maxRow. */
export async function readTruth(path: string, maxRow: number): Promise<number[]> {
  return Array.from(await native().readCategories({ path, maxRow }));
}

