// `snig suite`: every benchmark of a suite with one cluster/engine setup, then results.csv,
// results.md and results.svg. A benchmark whose run already finished with the same run config is
// skipped (its report is reused) unless `force`; results are rewritten after every benchmark, so an
// interrupted suite keeps what it finished.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { writeFileAtomic } from '../common/atomic-file.js';
import { validateConfig } from '../common/config/load.js';
import type { RunConfig } from '../common/config/schema.js';
import type { Benchmark, SuiteConfig } from '../common/config/suite.js';
import type { RunReport } from '../coordinator/report.js';
import { cachedInputs, type Generate } from './input-cache.js';
import type { SuiteProgress } from './progress.js';
import { resultFromReport } from './report-result.js';
import type { SuiteResult } from './result.js';
import { resultsCsv } from './results-csv.js';
import { resultsSvg } from './results-chart.js';
import { resultsMarkdown } from './results-markdown.js';

export interface BenchmarkRun {
  name: string;
  configPath: string; // run-config.json in the benchmark's run directory
  config: RunConfig; // its `out` is the run directory, where report.json must appear
}

/** Runs one benchmark to its report (report.json in config.out); reports shards as they finish. */
export type RunBenchmark = (run: BenchmarkRun, onShard: (done: number, total?: number) => void) => Promise<void>;

export interface SuiteOptions {
  source: string; // the suite file, for errors
  force: boolean; // re-run benchmarks that are done
  only?: string[]; // benchmark names to run (default all); the others keep their last finished results
  runBenchmark: RunBenchmark;
  generate: Generate;
  progress: SuiteProgress;
}

export interface SuiteOutcome {
  results: SuiteResult[];
  skipped: string[]; // selected but done before with the same run config: reused
  failed: Array<{ benchmark: string; message: string }>; // runs that ended without a report
  files: { csv: string; markdown: string; svg: string };
}

const FINAL_STATUSES: ReadonlySet<RunReport['status']> = new Set(['PASSED', 'FAILED']);

async function benchmarkFiles(suite: SuiteConfig, benchmark: Benchmark, generate: Generate): Promise<Record<string, unknown>> {
  if (!('generate' in benchmark)) {
    const { model, input, truth, layers, bias } = benchmark;
    return { model, input, truth, ...(layers !== undefined && { layers }), ...(bias !== undefined && { bias }) };
  }
  const files = await cachedInputs(suite.cache, benchmark.generate, generate);
  return {
    model: files.model,
    input: files.input,
    truth: files.truth,
    layers: benchmark.generate.layers,
    ...(benchmark.generate.bias !== undefined && { bias: benchmark.generate.bias }),
  };
}

/** The report of a run directory whose run finished (PASSED or FAILED). */
function finishedReport(runDir: string): RunReport | undefined {
  const reportPath = join(runDir, 'report.json');
  if (!existsSync(reportPath)) return undefined;
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as RunReport;
  return FINAL_STATUSES.has(report.status) ? report : undefined;
}

/** The finished report of a run directory when it was made from this exact config. */
function doneReport(runDir: string, configText: string): RunReport | undefined {
  const configPath = join(runDir, 'run-config.json');
  if (!existsSync(configPath) || readFileSync(configPath, 'utf8') !== configText) return undefined;
  return finishedReport(runDir);
}

/** Runs the suite's selected benchmarks (finished ones are kept) and writes its results. */
export async function runSuite(suite: SuiteConfig, options: SuiteOptions): Promise<SuiteOutcome> {
  const unknown = (options.only ?? []).filter((name) => !suite.benchmarks.some((b) => b.name === name));
  if (unknown.length > 0) throw new Error(`${options.source}: no benchmark named ${unknown.join(', ')}`);
  const isSelected = (name: string): boolean => !options.only || options.only.includes(name);
  const count = suite.benchmarks.filter((b) => isSelected(b.name)).length;

  const files = { csv: join(suite.out, 'results.csv'), markdown: join(suite.out, 'results.md'), svg: join(suite.out, 'results.svg') };
  const outcome: SuiteOutcome = { results: [], skipped: [], failed: [], files };
  mkdirSync(suite.out, { recursive: true });
  let index = 0;
  for (const benchmark of suite.benchmarks) {
    const runDir = join(suite.out, 'runs', benchmark.name);
    if (isSelected(benchmark.name)) {
      const report = await evaluate(suite, benchmark, runDir, { index: index++, count }, options, outcome);
      if (!report) continue;
      const result = resultFromReport(benchmark.name, join(runDir, 'report.json'), report);
      options.progress.finished(result);
      outcome.results.push(result);
      await writeResults(suite.name, outcome);
    } else {
      // Not asked for this time: its last finished result stays in the tables.
      const kept = finishedReport(runDir);
      if (kept) outcome.results.push(resultFromReport(benchmark.name, join(runDir, 'report.json'), kept));
    }
  }
  options.progress.stop();
  await writeResults(suite.name, outcome);
  return outcome;
}

/** One selected benchmark: its report, reused when done with the same config, else from a fresh run. */
async function evaluate(
  suite: SuiteConfig,
  benchmark: Benchmark,
  runDir: string,
  position: { index: number; count: number },
  options: SuiteOptions,
  outcome: SuiteOutcome,
): Promise<RunReport | undefined> {
  const step = (what: Parameters<SuiteProgress['benchmark']>[3]): void => options.progress.benchmark(position.index, position.count, benchmark.name, what);
  if ('generate' in benchmark) step('preparing inputs');
  const raw = { ...structuredClone(suite.setup), ...(await benchmarkFiles(suite, benchmark, options.generate)), out: runDir };
  const config = validateConfig(raw, `${options.source}: benchmark ${benchmark.name}`);
  const configText = `${JSON.stringify(config, null, 2)}\n`;

  const done = options.force ? undefined : doneReport(runDir, configText);
  if (done) {
    step('skipped (done)');
    outcome.skipped.push(benchmark.name);
    return done;
  }
  // A fresh directory: no stale report or journal from another config can be mistaken for this run's.
  rmSync(runDir, { recursive: true, force: true });
  const configPath = join(runDir, 'run-config.json');
  writeFileAtomic(configPath, configText);
  step('running');
  try {
    await options.runBenchmark({ name: benchmark.name, configPath, config }, (shard, shards) => options.progress.shard(shard, shards));
    const report = finishedReport(runDir);
    if (!report) throw new Error(`the run wrote no finished report in ${runDir}`);
    return report;
  } catch (error) {
    options.progress.stop();
    outcome.failed.push({ benchmark: benchmark.name, message: (error as Error).message });
    return undefined;
  }
}

async function writeResults(title: string, outcome: SuiteOutcome): Promise<void> {
  writeFileAtomic(outcome.files.csv, resultsCsv(outcome.results));
  writeFileAtomic(outcome.files.markdown, resultsMarkdown(title, outcome.results));
  writeFileAtomic(outcome.files.svg, await resultsSvg(title, outcome.results));
}
