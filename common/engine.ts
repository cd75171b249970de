// The engine interface that the CLI, the worker and the benchmarks use: one model loaded once,
// inference over any range of input rows, on the CPU or on CUDA GPUs.
import { native, type NativeEngine, type NativeInputs, type NativeModel, type NativeProgress, type WeightMode } from './native.js';

export type EngineChoice = 'auto' | 'cpu' | 'cuda';
export type EngineKind = 'cpu' | 'cuda';
export type Precision = 'f32' | 'f64';
export type Progress = NativeProgress;

export interface EngineOptions {
  engine: EngineChoice;
  threads?: number; // CPU threads (0 or absent: all)
  gpus?: number[]; // CUDA devices (absent: all visible)
  kernel?: string; // CUDA kernel ('auto' or a named one, e.g. 'snig')
  weights?: WeightMode; // CUDA weight placement (default 'auto': resident when they fit)
  batchRows?: number;
}

export interface InferOptions {
  /** Rows [begin, end) of the inputs, 0-based; default all. */
  rows?: readonly [number, number];
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
    readonly kind: EngineKind,
    readonly model: NativeModel,
    private readonly handle: NativeEngine,
  ) {}

  /** Builds an engine for a loaded model; 'auto' picks CUDA when a GPU is seen. */
  static async open(model: NativeModel, options: EngineOptions): Promise<Engine> {
    const kind = resolveEngine(options.engine);
    const handle = await native().createEngine(model, {
      kind,
      threads: options.threads ?? 0,
      devices: options.gpus ?? [],
      kernel: options.kernel ?? 'auto',
      weights: options.weights ?? 'auto',
      batchRows: options.batchRows ?? 0,
    });
    return new Engine(kind, model, handle);
  }

  async infer(inputs: NativeInputs, options: InferOptions = {}): Promise<InferOutcome> {
    const [begin, end] = options.rows ?? [0, inputs.rows];
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
        rows: options.finalRows ?? false,
        trace: options.trace ?? false,
        onProgress: options.onProgress,
        cancel,
      });
      return {
        engine: this.kind,
        kernel: result.kernel,
        categories: Array.from(result.categories),
        rowSums: result.rowSums,
        finalRows: result.rows,
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

export function resolveEngine(choice: EngineChoice): EngineKind {
  if (choice !== 'auto') return choice;
  return native().info().gpus.length > 0 ? 'cuda' : 'cpu';
}
