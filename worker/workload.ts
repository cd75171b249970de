// What a worker computes with: the model (read from a shared path, or received in chunks and
// written to a private temporary file), the inputs (shared mode) and the engine.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { openInputs, openModel } from '../common/data.js';
import { Engine, type InferOutcome } from '../common/engine.js';
import type { EngineOptions } from '../common/engine-options.js';
import type { WorkloadFiles } from '../common/preload.js';
import { native, type NativeInputs, type NativeModel } from '../common/native.js';
import type { ShardInputs, Welcome } from '../common/protocol/messages.js';
import { formatRowRange } from '../common/row-range.js';
import type { ShardOutcome } from './core.js';

/** A worker's model, inputs and engine for one run: `run` computes a shard's rows. Close it when done. */
export class Workload {
  private receivedBytes = 0;

  private constructor(
    readonly checksum: number,
    private readonly model: NativeModel,
    readonly engine: Engine,
    private readonly inputs: NativeInputs | undefined,
  ) {}

  /** The GPUs this worker computes on, as `id:name` (none for the CPU engine). */
  gpuNames(): string[] {
    return native()
      .info()
      .gpus.filter((gpu) => this.engine.gpus.includes(gpu.id))
      .map((gpu) => `${gpu.id}:${gpu.name}`);
  }

  /** The model's layers. */
  get layers(): number {
    return this.model.layers;
  }

  /** Loads the model (from `modelFile` when it was streamed) and the shared inputs, opens the engine. */
  static async open(welcome: Welcome, choice: EngineOptions, modelFile?: string): Promise<Workload> {
    const path = modelFile ?? welcome.model.path;
    if (!path) throw new Error('the coordinator named no model path and sent no model');
    return Workload.openFiles({ model: path, layers: welcome.model.layers, bias: welcome.model.bias, inputs: welcome.inputs.path }, choice);
  }

  /** Loads the model and the inputs (when named), opens the engine. */
  static async openFiles(files: WorkloadFiles, choice: EngineOptions): Promise<Workload> {
    const model = await openModel({ model: files.model, layers: files.layers, bias: files.bias, threads: choice.threads });
    try {
      const inputs = files.inputs ? await openInputs(files.inputs, model.neurons) : undefined;
      const engine = await Engine.open(model, choice);
      return new Workload(model.checksum, model, engine, inputs);
    } catch (error) {
      model.close();
      throw error;
    }
  }

  /**
   * Categories (1-based, global rows) of rows [begin, end): from the shared inputs (a binary input
   * file is mapped, and only these rows are read) or from the rows the shard came with. Aborting
   * `signal` cancels the engine call.
   */
  async run(begin: number, end: number, rows?: ShardInputs, signal?: AbortSignal): Promise<ShardOutcome> {
    const start = performance.now();
    const callSeconds = (): number => (performance.now() - start) / 1000;
    if (!rows) {
      if (!this.inputs) throw new Error('no inputs: the coordinator sent no rows and named no input path');
      const outcome = await this.inferPlaced(this.inputs, [begin, end], signal);
      const { categories, computeSeconds, edges } = outcome;
      return { categories, seconds: computeSeconds, callSeconds: callSeconds(), inputBytes: this.inputs.bytesRead, edges };
    }
    this.receivedBytes += rows.rowptr.byteLength + rows.cols.byteLength + (rows.values?.byteLength ?? 0);
    const local = native().inputsFromArrays(rows);
    try {
      if (local.rows !== end - begin) throw new Error(`shard of rows ${formatRowRange({ begin, end })} came with ${local.rows} rows`);
      const outcome = await this.inferPlaced(local, [0, local.rows], signal);
      return {
        categories: outcome.categories.map((row) => row + begin),
        seconds: outcome.computeSeconds,
        callSeconds: callSeconds(),
        inputBytes: this.receivedBytes,
        edges: outcome.edges,
      };
    } finally {
      local.close();
    }
  }

  /**
   * One shard's rows placed as they arrive (Engine.place: page-locked for the CUDA engine, read from
   * a mapped file straight into it), then inferred on: each shard is one call, so they are placed
   * per shard, not once for the whole input set, of which this worker reads only its shards.
   */
  private async inferPlaced(inputs: NativeInputs, range: readonly [number, number], signal?: AbortSignal): Promise<InferOutcome> {
    const placed = await this.engine.place(inputs, range);
    try {
      return await this.engine.infer(placed ?? inputs, { range, signal });
    } finally {
      placed?.close();
    }
  }

  close(): void {
    this.engine.close();
    this.inputs?.close();
    this.model.close();
  }
}

/** Writes streamed model bytes to a private temporary file; the returned function removes it. */
export function writeStreamedModel(bytes: Uint8Array): { path: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'snig-worker-'));
  const path = join(dir, 'model.snig');
  writeFileSync(path, bytes, { mode: 0o600 });
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
