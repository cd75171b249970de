// The end of a run: gather the categories in row order, write them, verify them against the truth,
// and write the report (all files atomically); once the workers have exited, add to it any that
// failed after the verdict.
import { join } from 'node:path';

import type { RunConfig } from '../common/config/schema.js';
import { openInputs } from '../common/data.js';
import { formatChecksum } from '../common/checksum.js';
import { native, type NativeModel } from '../common/native.js';
import { formatRowRange } from '../common/row-range.js';
import type { PhaseClock } from '../common/timing.js';
import { certify, judge, type Certifier } from '../common/verdict.js';
import type { Outcome } from './coordinator.js';
import { writeReport, type RunReport, type Verification } from './report.js';
import type { Failure, RunStats } from './run-stats.js';
import type { Shard } from './shard-plan.js';

export interface RunEnd {
  model: NativeModel;
  begin: number;
  end: number;
  truth?: number[]; // the truth's rows (read before the run; judged within [begin, end))
  shards: Shard[]; // the run's, split ones replaced by their parts
  plannedShards: number; // the plan's (each split added one)
  results: ReadonlyMap<number, number[]>;
  stats: RunStats;
  outcome: Outcome;
  startedAt: string;
  resumed: number;
  clock: PhaseClock; // the run's phases so far; the verification is added here
  inputFileBytes: number; // the input file the workers read (or the coordinator, streamed)
}

/** Categories of every shard, concatenated in row order (shards are disjoint and ascending). */
export function gather(shards: readonly Shard[], results: ReadonlyMap<number, number[]>): { categories: number[]; missingShards: number[] } {
  const categories: number[] = [];
  const missingShards: number[] = [];
  for (const shard of shards) {
    const rows = results.get(shard.id);
    if (rows) categories.push(...[...rows].sort((a, b) => a - b));
    else missingShards.push(shard.id);
  }
  return { categories, missingShards };
}

export async function concludeRun(config: RunConfig, run: RunEnd): Promise<RunReport> {
  const verifyStart = performance.now();
  const { categories, missingShards } = gather(run.shards, run.results);
  const addon = native();
  const complete = run.outcome.kind === 'complete' && missingShards.length === 0;
  if (complete) {
    await addon.writeCategories({
      path: join(config.out, 'categories.tsv'),
      rows: Float64Array.from(categories),
      provenance: [`snig run: model ${config.model} (checksum ${formatChecksum(run.model.checksum)}), input ${config.input}, rows ${formatRowRange(run)}`],
    });
  }
  let verification: Verification | undefined;
  if (complete && config.truth && run.truth) {
    // A mismatch is always certified: recompute the differing rows in float64 on this machine.
    const certifier: Certifier = async (check) => {
      const inputs = await openInputs(config.input, run.model.neurons);
      try {
        return await certify(run.model, inputs, check);
      } finally {
        inputs.close();
      }
    };
    verification = { truth: config.truth, ...(await judge(categories, run.truth, [run.begin, run.end], certifier)) };
  }
  run.clock.add('verify', (performance.now() - verifyStart) / 1000);
  const total = run.clock.total();
  const workers = [...run.stats.workers.values()];
  const edges = workers.reduce((n, w) => n + w.edges, 0);
  const compute = run.clock.parts.compute ?? 0;
  const seconds = run.outcome.seconds;
  const report: RunReport = {
    status: !complete ? 'ABORTED' : verification ? (verification.passed ? 'PASSED' : 'FAILED') : 'UNVERIFIED',
    reason: run.outcome.kind === 'abort' ? run.outcome.reason : undefined,
    model: { path: config.model, neurons: run.model.neurons, layers: run.model.layers, nnz: run.model.nnz, checksum: formatChecksum(run.model.checksum) },
    input: config.input,
    mode: config.mode,
    rowRange: formatRowRange(run),
    rows: run.end - run.begin,
    shards: { planned: run.plannedShards, splits: run.shards.length - run.plannedShards, resumed: run.resumed, computed: run.shards.length - run.resumed - missingShards.length },
    categories: categories.length,
    wallSeconds: seconds,
    cpuSeconds: run.outcome.cpuSeconds,
    seconds: { total, parts: { ...run.clock.parts } },
    edges,
    edgesPerSecond: seconds > 0 ? edges / seconds : 0,
    computeEdgesPerSecond: compute > 0 ? edges / compute : 0,
    totalEdgesPerSecond: total > 0 ? edges / total : 0,
    inputBytes: { read: workers.reduce((n, w) => n + w.inputBytes, 0), file: run.inputFileBytes },
    workers: workers.map((w) => ({ ...w, edgesPerSecond: w.seconds > 0 ? w.edges / w.seconds : 0 })),
    reassigned: run.stats.reassigned.map(({ begin, end, ...rest }) => ({ ...rest, rowRange: formatRowRange({ begin, end }) })),
    failures: [...run.stats.failures],
    rejected: run.stats.rejected,
    droppedMessages: run.stats.droppedMessages,
    verification,
    startedAt: run.startedAt,
    finishedAt: new Date().toISOString(),
  };
  writeReport(config.out, report);
  return report;
}

/**
 * The report once the workers have exited: the written one, or, when a worker process failed after
 * the verdict, the same with those failures added (written again). Its status stands: every result
 * was in, durable and verified before, and a worker's end (its engine's release) cannot change them.
 */
export function amendReport(out: string, report: RunReport, failures: readonly Failure[]): RunReport {
  if (failures.length === report.failures.length) return report;
  const amended = { ...report, failures: [...failures] };
  writeReport(out, amended);
  return amended;
}
