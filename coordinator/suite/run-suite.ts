// `snig suite`: every benchmark of a suite with one cluster/engine setup, then results.csv,
// results.md and results.svg. A benchmark whose run already finished with the same run config is
// skipped (its report is reused) unless `force`; results are rewritten after every benchmark, so an
// interrupted suite keeps what it finished.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { writeFileAtomic } from '../../common/config/atomic-file.js';
import { validateConfig } from '../../common/config/load.js';
import type { RunConfig } from '../../common/config/schema.js';
import type { Benchmark, SuiteConfig } from '../../common/config/suite.js';
import type { RunReport } from '../report.js';
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
export type RunBenchmark = (run: BenchmarkRun, onShard: (done: number, total: number) => void) => Promise<void>;

export interface SuiteOptions {
  source: string; // the suite file, for errors
  force: boolean; // re-run benchmarks that are done
  only?: string[]; // benchmark names to run (default all)
  runBenchmark: RunBenchmark;
  generate: Generate;
  progress: SuiteProgress;
}

export interface SuiteOutcome {
  results: SuiteResult[];
  skipped: string[]; // done before, reused
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
    ...(benchmark.bias !== undefined && { bias: benchmark.bias }),
  };
}

/** The finished report of a run directory when it was made from this exact config. */
function doneReport(runDir: string, configText: string): RunReport | undefined {
  const configPath = join(runDir, 'run-config.json');
  const reportPath = join(runDir, 'report.json');
  if (!existsSync(configPath) || !existsSync(reportPath)) return undefined;
  if (readFileSync(configPath, 'utf8') !== configText) return undefined;
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as RunReport;
  return FINAL_STATUSES.has(report.status) ? report : undefined;
}

export async function runSuite(suite: SuiteConfig, options: SuiteOptions): Promise<SuiteOutcome> {
  const unknown = (options.only ?? []).filter((name) => !suite.benchmarks.some((b) => b.name === name));
  if (unknown.length > 0) throw new Error(`${options.source}: no benchmark named ${unknown.join(', ')}`);
  const selected = suite.benchmarks.filter((b) => !options.only || options.only.includes(b.name));

  const files = { csv: join(suite.out, 'results.csv'), markdown: join(suite.out, 'results.md'), svg: join(suite.out, 'results.svg') };
  const outcome: SuiteOutcome = { results: [], skipped: [], failed: [], files };
  mkdirSync(suite.out, { recursive: true });

  for (const [index, benchmark] of selected.entries()) {
    const runDir = join(suite.out, 'runs', benchmark.name);
    const reportPath = join(runDir, 'report.json');
    const isGenerated = 'generate' in benchmark;
    if (isGenerated) options.progress.benchmark(index, selected.length, benchmark.name, 'generating');
    const raw = { ...structuredClone(suite.setup), ...(await benchmarkFiles(suite, benchmark, options.generate)), out: runDir };
    const config = validateConfig(raw, `${options.source}: benchmark ${benchmark.name}`);
    const configText = `${JSON.stringify(config, null, 2)}\n`;

    let report = options.force ? undefined : doneReport(runDir, configText);
    if (report) {
      options.progress.benchmark(index, selected.length, benchmark.name, 'skipped (done)');
      outcome.skipped.push(benchmark.name);
    } else {
      // A fresh directory: no stale report or journal from another config can be mistaken for this run's.
      rmSync(runDir, { recursive: true, force: true });
      const configPath = join(runDir, 'run-config.json');
      writeFileAtomic(configPath, configText);
      options.progress.benchmark(index, selected.length, benchmark.name, 'running');
      try {
        await options.runBenchmark({ name: benchmark.name, configPath, config }, (done, total) => options.progress.shard(done, total));
        if (!existsSync(reportPath)) throw new Error(`the run wrote no report (${reportPath})`);
        report = JSON.parse(readFileSync(reportPath, 'utf8')) as RunReport;
      } catch (error) {
        options.progress.stop();
        outcome.failed.push({ benchmark: benchmark.name, message: (error as Error).message });
        continue;
      }
    }
    const result = resultFromReport(benchmark.name, reportPath, report);
    options.progress.finished(result);
    outcome.results.push(result);
    await writeResults(suite.name, outcome);
  }
  options.progress.stop();
  await writeResults(suite.name, outcome);
  return outcome;
}

async function writeResults(title: string, outcome: SuiteOutcome): Promise<void> {
  writeFileAtomic(outcome.files.csv, resultsCsv(outcome.results));
  writeFileAtomic(outcome.files.markdown, resultsMarkdown(title, outcome.results));
  writeFileAtomic(outcome.files.svg, await resultsSvg(title, outcome.results));
}
