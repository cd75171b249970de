// Times our CPU engine on loaded inputs: `repeat` inferences, the median time, and a check that
// every run gave the same categories.
import { Engine } from '../../common/engine.js';
import type { NativeInputs, NativeModel } from '../../common/native.js';
import { median } from './stats.js';

export interface EngineTiming {
  threads: number;
  rows: number;
  /** Median inference seconds (the engine's own inference-only time). */
  seconds: number;
  bestSeconds: number;
  edgesPerSecond: number;
  categories: number[];
  runs: number[];
}

export async function timeCpuEngine(
  model: NativeModel,
  inputs: NativeInputs,
  threads: number,
  repeat: number,
): Promise<EngineTiming> {
  const engine = await Engine.open(model, { engine: 'cpu', threads });
  try {
    const runs: number[] = [];
    let categories: number[] | undefined;
    let edges = 0;
    for (let i = 0; i < repeat; i++) {
      const outcome = await engine.infer(inputs);
      runs.push(outcome.seconds);
      edges = outcome.edges;
      if (categories && categories.join() !== outcome.categories.join()) {
        throw new Error(`the CPU engine gave different categories on run ${i + 1} of the same inputs`);
      }
      categories = outcome.categories;
    }
    const seconds = median(runs);
    return { threads, rows: inputs.rows, seconds, bestSeconds: Math.min(...runs), edgesPerSecond: edges / seconds, categories: categories ?? [], runs };
  } finally {
    engine.close();
  }
}
