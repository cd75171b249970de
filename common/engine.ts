// The engine interface that the CLI, the worker and the benchmarks use: one model loaded once,
// inference over any range of input rows, on the CPU or on CUDA GPUs.
import { engineOptionsSchema, type EngineKind, type EngineOptions, type EngineOptionsInput, type InputMemory } from './engine-options.js';
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

/** An inference engine (CPU or CUDA) open on one model: places inputs and infers row ranges of them. Close it when done. */
export class Engine {
  private constructor(
    readonly engine: EngineKind,
    /** The CUDA devices it computes on (none for the CPU engine). */
    readonly gpus: readonly number[],
    readonly model: NativeModel,
    private readonly handle: NativeEngine,
    private readonly inputMemory: InputMemory,
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
    return new Engine(engine, chosen, model, handle, options.inputMemory);
  }

  /**
   * Rows [begin, end) of `inputs` (default all) placed where this engine reads them fastest, once for
   * the calls on them to come: with `inputMemory: 'pinned'` the CUDA engine's in page-locked memory,
   * sent by DMA on each call (a binary input file's rows read straight into it). They keep their row
   * numbers: infer on them with ranges within [begin, end). Undefined when the engine reads the
   * inputs as they are (the CPU engine, 'pageable'). The caller closes what it gets.
   */
  async place(inputs: NativeInputs, range?: readonly [number, number]): Promise<NativeInputs | undefined> {
    if (this.engine !== 'cuda' || this.inputMemory !== 'pinned') return undefined;
    const [rowBegin, rowEnd] = checkedRange(inputs, range);
    return native().placeInputs(this.handle, inputs, { rowBegin, rowEnd });
  }

  async infer(inputs: NativeInputs, options: InferOptions = {}): Promise<InferOutcome> {
    const [begin, end] = checkedRange(inputs, options.range);
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

/** The range, default all, checked against the inputs' rows. */
function checkedRange(inputs: NativeInputs, range: readonly [number, number] | undefined): readonly [number, number] {
  const [begin, end] = range ?? [0, inputs.rows];
  if (!(Number.isInteger(begin) && Number.isInteger(end) && 0 <= begin && begin <= end && end <= inputs.rows)) {
    throw new RangeError(`row range ${begin}:${end} is outside the ${inputs.rows} input rows`);
  }
  return [begin, end];
}
