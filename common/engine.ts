// The engine interface that the CLI, the worker and the benchmarks use: one model loaded once,
// inference over any range of input rows, on the CPU or on CUDA GPUs.
import { engineOptionsSchema, type EngineKind, type EngineOptions, type EngineOptionsInput } from './engine-options.js';
import { native, type NativeEngine, type NativeInputs, type NativeModel, type NativeProgress } from './native.js';

export type Precision = 'f32' | 'f64';
export type Progress = NativeProgress;

export interface InferOptions {
  /** Rows [begin, end) of the inputs, 0-based; default all. */
  range?: readonly [number, number];
  precision?: Precision;
  rowSums?: boolean;
  finalRows?: boolean;
  trace?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

export interface InferOutcome {
  engine: EngineKind;
  kernel: string;
  /** 1-based input rows whose final row is nonzero, ascending. */
  categories: number[];
  rowSums?: Float64Array;
  finalRows?: Float32Array;
  deathLayer?: Uint32Array;
  minMargin?: Float64Array;
  /** How many rows were inferred. */
  rows: number;
  /** The inference call, seconds (no loading; on CUDA with the input upload and the results' return). */
  seconds: number;
  /** Compute alone, seconds: the GPUs' event-timed time on CUDA (the busiest GPU), the call on the CPU. */
  computeSeconds: number;
  /** rows × nnz(all layers): the challenge's edge count for this inference. */
  edges: number;
}

export class Engine {
  private constructor(
    readonly engine: EngineKind,
    /** The CUDA devices it computes on (none for the CPU engine). */
    readonly gpus: readonly number[],
    readonly model: NativeModel,
    private readonly handle: NativeEngine,
  ) {}

  /**
   * Builds an engine for a loaded model. Options left out take their defaults; 'auto' engine picks
   * CUDA when a GPU is seen, and no `gpus` means every visible one. The addon gets complete options.
   */
  static async open(model: NativeModel, input: EngineOptionsInput): Promise<Engine> {
    const options: EngineOptions = engineOptionsSchema.parse(input);
    const gpus = native().info().gpus.map((gpu) => gpu.id);
    const engine = options.engine === 'auto' ? (gpus.length > 0 ? 'cuda' : 'cpu') : options.engine;
    const chosen = engine === 'cpu' ? [] : (options.gpus ?? gpus);
    const handle = await native().createEngine(model, {
      engine,
      threads: options.threads,
      gpus: chosen,
      kernel: options.kernel,
      weights: options.weights,
      batchRows: 0,
    });
    return new Engine(engine, chosen, model, handle);
  }

  async infer(inputs: NativeInputs, options: InferOptions = {}): Promise<InferOutcome> {
    const [begin, end] = options.range ?? [0, inputs.rows];
    if (!(Number.isInteger(begin) && Number.isInteger(end) && 0 <= begin && begin <= end && end <= inputs.rows)) {
      throw new RangeError(`row range ${begin}:${end} is outside the ${inputs.rows} input rows`);
    }
    const cancel = options.signal ? new (native().CancelToken)() : undefined;
    const onAbort = (): void => cancel?.cancel();
    options.signal?.throwIfAborted();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const result = await this.handle.infer(inputs, {
        rowBegin: begin,
        rowEnd: end,
        precision: options.precision ?? 'f32',
        rowSums: options.rowSums ?? false,
        finalRows: options.finalRows ?? false,
        trace: options.trace ?? false,
        onProgress: options.onProgress,
        cancel,
      });
      return {
        engine: this.engine,
        kernel: result.kernel,
        categories: Array.from(result.categories),
        rowSums: result.rowSums,
        finalRows: result.finalRows,
        deathLayer: result.deathLayer,
        minMargin: result.minMargin,
        rows: end - begin,
        seconds: result.seconds,
        computeSeconds: result.gpuSeconds ?? result.seconds,
        edges: (end - begin) * this.model.nnz,
      };
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  close(): void {
    this.handle.close();
  }
}
