// One benchmark's line in the suite results, taken from its run report.
export interface SuiteResult {
  benchmark: string;
  neurons: number;
  layers: number;
  rows: number;
  nodes: number; // distinct hosts that ran shards
  gpus: number; // GPUs used by all workers (0: CPU engine)
  workers: number;
  seconds: number; // the run's inference wall time, as its report gives it
  edges: number; // rows × nnz(all layers)
  edgesPerSecond: number;
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
  'edges',
  'edgesPerSecond',
  'passed',
  'report',
] as const satisfies readonly (keyof SuiteResult)[];
