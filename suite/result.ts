// One benchmark's line in the suite results, taken from its run report.
export interface SuiteResult {
  benchmark: string;
  neurons: number;
  layers: number;
  rows: number;
  nodes: number; // distinct hosts that ran shards
  gpus: number; // GPUs used by all workers (0: CPU engine)
  workers: number;
  seconds: number; // the run's shards, first assignment to last result, as its report gives it
  totalSeconds: number; // the whole run, start to verdict (load, workers' start, shards, verification)
  edges: number; // rows × nnz(all layers)
  edgesPerSecond: number; // over seconds
  totalEdgesPerSecond: number; // over totalSeconds
  passed: boolean;
  report: string; // path of the run report it came from
}

/** Columns of results.csv, in order, with how each value is written. */
export const RESULT_COLUMNS = [
  'benchmark',
  'neurons',
  'layers',
  'rows',
  'nodes',
  'gpus',
  'workers',
  'seconds',
  'totalSeconds',
  'edges',
  'edgesPerSecond',
  'totalEdgesPerSecond',
  'passed',
  'report',
] as const satisfies readonly (keyof SuiteResult)[];
