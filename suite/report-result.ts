// A suite result line from a run report (coordinator/report.ts).
import type { RunReport } from '../coordinator/report.js';
import type { SuiteResult } from './result.js';

/** The suite's line for one benchmark, from its run report. */
export function resultFromReport(benchmark: string, reportPath: string, report: RunReport): SuiteResult {
  return {
    benchmark,
    neurons: report.model.neurons,
    layers: report.model.layers,
    rows: report.rows,
    nodes: new Set(report.workers.map((w) => w.host)).size,
    gpus: report.workers.reduce((sum, w) => sum + w.gpus.length, 0),
    workers: report.workers.length,
    seconds: report.wallSeconds,
    totalSeconds: report.seconds.total,
    edges: report.edges,
    edgesPerSecond: report.edgesPerSecond,
    totalEdgesPerSecond: report.totalEdgesPerSecond,
    passed: report.status === 'PASSED',
    report: reportPath,
  };
}
