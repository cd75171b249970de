// The suite's parts on their own: the input cache, skip-done, the results files and the chart.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pino from 'pino';

import { loadSuite } from '../common/config/suite-load.js';
import { generatorParamsSchema, type GeneratorParams } from '../common/config/generator.js';
import type { SuiteConfig } from '../common/config/suite.js';
import type { RunReport } from '../coordinator/report.js';
import { cacheKey, cachedInputs, type Generate } from '../suite/input-cache.js';
import { etaSeconds, suiteProgress } from '../suite/progress.js';
import { runSuite, type RunBenchmark } from '../suite/run-suite.js';
import { readCsv, svgBars } from './suite-helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'snig-suite-parts-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A generator that writes small distinct files and counts its calls. */
const params = (given: Record<string, unknown>): GeneratorParams => generatorParamsSchema.parse(given);

function countingGenerator(): { generate: Generate; calls: GeneratorParams[] } {
  const calls: GeneratorParams[] = [];
  const generate: Generate = async (params, dir) => {
    calls.push(params);
    for (const name of ['model.snig', 'inputs.tsv', 'truth.tsv']) writeFileSync(join(dir, name), JSON.stringify(params));
    return { model: join(dir, 'model.snig'), input: join(dir, 'inputs.tsv'), truth: join(dir, 'truth.tsv') };
  };
  return { generate, calls };
}

describe('generated input cache', () => {
  it('generates once per parameter set and reuses the files after', async () => {
    const cache = join(scratch, 'cache-a');
    const { generate, calls } = countingGenerator();
    const a = params({ neurons: 64, layers: 4, rows: 10, seed: 1 });
    const first = await cachedInputs(cache, a, generate);
    const again = await cachedInputs(cache, { ...a }, generate);
    const other = await cachedInputs(cache, { ...a, seed: 2 }, generate);
    assert.equal(calls.length, 2);
    assert.deepEqual([first.generated, again.generated, other.generated], [true, false, true]);
    assert.equal(again.model, first.model);
    assert.notEqual(other.model, first.model);
    assert.deepEqual(JSON.parse(readFileSync(again.input, 'utf8')), a);
    assert.notEqual(cacheKey(a), cacheKey({ ...a, rows: 11 }));
    // A random network's parameters key it too; a RadiX-Net ignores them (its files do not depend on them).
    const random = params({ neurons: 64, layers: 4, rows: 10, structure: 'random' });
    assert.notEqual(cacheKey(random), cacheKey(a));
    assert.notEqual(cacheKey(random), cacheKey({ ...random, fanIn: { min: 8, max: 48 } }));
    assert.notEqual(cacheKey(random), cacheKey({ ...random, randomWeights: 'mixed' }));
    assert.notEqual(cacheKey(random), cacheKey({ ...random, survive: { min: 0.01, max: 0.02 } }));
    assert.equal(cacheKey(a), cacheKey({ ...a, fanIn: { min: 8, max: 48 } }));
  });

  it('leaves no entry when the generator fails', async () => {
    const cache = join(scratch, 'cache-b');
    const generated = params({ neurons: 64, layers: 4, rows: 10, seed: 1 });
    await assert.rejects(cachedInputs(cache, generated, async () => Promise.reject(new Error('generator broke'))), /generator broke/);
    assert.equal(existsSync(join(cache, cacheKey(generated))), false);
    const { generate, calls } = countingGenerator();
    assert.equal((await cachedInputs(cache, generated, generate)).generated, true);
    assert.equal(calls.length, 1);
  });
});

describe('suite config', () => {
  it('names the file, and the field and line of each problem', () => {
    const file = join(scratch, 'bad-suite.yaml');
    writeFileSync(
      file,
      ['out: out', 'setup: { model: x }', 'benchmarks:', '  - { name: a, generate: { neurons: 64, layers: 4, rows: 10 } }', '  - { name: a, generate: { neurons: 0, layers: 4, rows: 10 } }'].join('\n'),
    );
    assert.throws(() => loadSuite(file), (error: Error) => {
      assert.match(error.message, new RegExp(`^${file}: invalid suite configuration`));
      assert.match(error.message, /setup\.model \(line 2\): is set per benchmark/);
      assert.match(error.message, /benchmarks\.1\.generate\.neurons \(line 5\): /);
      return true;
    });
  });

  it('takes snig generate\'s parameters for a generated benchmark: a network without structure, and its bad fan-in named', () => {
    const file = join(scratch, 'random-suite.yaml');
    const entry = (fanIn: string): string => `  - { name: r, generate: { neurons: 1024, layers: 3, rows: 10, structure: random, fanIn: ${fanIn}, randomWeights: mixed } }`;
    writeFileSync(file, ['out: out', 'benchmarks:', entry('8-48')].join('\n'));
    const [benchmark] = loadSuite(file).benchmarks;
    assert.ok(benchmark && 'generate' in benchmark);
    assert.deepEqual(benchmark.generate, { neurons: 1024, layers: 3, rows: 10, seed: 1, structure: 'random', fanIn: { min: 8, max: 48 }, randomWeights: 'mixed', survive: { min: 0.015, max: 0.025 } });
    writeFileSync(file, ['out: out', 'benchmarks:', entry('8-x')].join('\n'));
    assert.throws(() => loadSuite(file), /benchmarks\.0\.generate\.fanIn \(line 3\): a number or a range A-B, not "8-x"/);
    // A files benchmark is checked as one: its missing or misspelled field is named, not "Invalid input".
    writeFileSync(file, ['out: out', 'benchmarks:', '  - { name: f, model: m, input: i, truht: t }'].join('\n'));
    assert.throws(() => loadSuite(file), (error: Error) => /benchmarks\.0\.truth \(line 3\): .*expected string/.test(error.message) && /benchmarks\.0\.truht \(line 3\): unknown field/.test(error.message));
  });
});

/** A run that writes a report whose numbers derive from the benchmark, as `snig run` would. */
function reportingRun(runs: string[]): RunBenchmark {
  return async (run, onShard) => {
    runs.push(run.name);
    onShard(1, 1);
    const rows = 100;
    const seconds = 0.5 + runs.length;
    const total = 2 * seconds;
    const edges = rows * 1000 * 10 ** runs.length;
    const report: Partial<RunReport> = {
      status: run.name === 'c' ? 'FAILED' : 'PASSED',
      model: { path: run.config.model, neurons: 64, layers: 4, nnz: 1000, checksum: '00000001' },
      rowRange: `1:${rows}`,
      rows,
      wallSeconds: seconds,
      seconds: { total, parts: { compute: seconds } },
      edges,
      edgesPerSecond: edges / seconds,
      totalEdgesPerSecond: edges / total,
      workers: [
        { name: 'w1', host: 'n1', engine: 'cpu', gpus: [], shards: 1, rows, seconds, callSeconds: seconds, startSeconds: 0, inputBytes: 0, edges, edgesPerSecond: edges / seconds },
        { name: 'w2', host: 'n2', engine: 'cuda', gpus: ['0', '1'], shards: 0, rows: 0, seconds: 0, callSeconds: 0, startSeconds: 0, inputBytes: 0, edges: 0, edgesPerSecond: 0 },
      ],
    };
    writeFileSync(join(run.config.out, 'report.json'), JSON.stringify(report));
  };
}

describe('suite runner', () => {
  const config: SuiteConfig = {
    name: 'parts',
    out: join(scratch, 'suite-out'),
    cache: join(scratch, 'cache-runner'),
    setup: { workers: [{ launch: 'local', count: 2, engine: 'cpu' }] },
    benchmarks: ['a', 'b', 'c'].map((name, i) => ({ name, generate: params({ neurons: 64, layers: 4, rows: 10 + i, seed: 1 }) })),
  };
  const silent = suiteProgress(pino({ level: 'silent' }), false);

  it('writes CSV, Markdown and a chart whose bars follow the reports, then skips what is done', async () => {
    const runs: string[] = [];
    const options = { source: 'test', force: false, runBenchmark: reportingRun(runs), generate: countingGenerator().generate, progress: silent };
    const outcome = await runSuite(config, options);
    assert.deepEqual(runs, ['a', 'b', 'c']);
    assert.deepEqual(outcome.failed, []);

    const csv = readCsv(outcome.files.csv);
    assert.deepEqual(csv.map((row) => row.benchmark), ['a', 'b', 'c']);
    for (const row of csv) {
      const report = JSON.parse(readFileSync(row.report!, 'utf8')) as RunReport;
      assert.equal(Number(row.edgesPerSecond), report.edgesPerSecond);
      assert.equal(Number(row.seconds), report.wallSeconds);
      assert.equal(Number(row.totalSeconds), report.seconds!.total);
      assert.equal(Number(row.totalEdgesPerSecond), report.totalEdgesPerSecond);
      assert.equal(Number(row.rows), report.rows);
      assert.equal(row.passed, String(report.status === 'PASSED'));
      assert.equal(row.nodes, '2');
      assert.equal(row.gpus, '2');
    }
    const markdown = readFileSync(outcome.files.markdown, 'utf8');
    assert.match(markdown, /\| benchmark \| rows \| nodes \| GPUs \| seconds \| total seconds \| edges\/s \| total edges\/s \| PASSED \|/);
    assert.match(markdown, /\| c \| 100 \| 2 \| 2 \| 3\.500 \| 7\.000 \| 2\.857e\+7 \| 1\.429e\+7 \| FAILED \|/);

    const bars = svgBars(outcome.files.svg);
    assert.deepEqual(bars.map((b) => [b.benchmark, b.verdict]), [['a', 'PASSED'], ['b', 'PASSED'], ['c', 'FAILED']]);
    // Log scale: equal height steps for equal ratios of edges/s.
    const rates = csv.map((row) => Number(row.edgesPerSecond));
    const perDecade = (bars[1]!.height - bars[0]!.height) / Math.log10(rates[1]! / rates[0]!);
    assert.ok(perDecade > 0);
    assert.ok(Math.abs((bars[2]!.height - bars[1]!.height) / Math.log10(rates[2]! / rates[1]!) - perDecade) < 1e-6 * perDecade);

    const again = await runSuite(config, options);
    assert.deepEqual(runs, ['a', 'b', 'c'], 'nothing re-run');
    assert.deepEqual(again.skipped, ['a', 'b', 'c']);
    assert.equal(readFileSync(again.files.csv, 'utf8'), readFileSync(outcome.files.csv, 'utf8'));

    const forced = await runSuite(config, { ...options, force: true, only: ['b'] });
    assert.deepEqual(runs, ['a', 'b', 'c', 'b']);
    assert.deepEqual(forced.results.map((r) => r.benchmark), ['a', 'b', 'c'], 'the others keep their results');
    await assert.rejects(runSuite(config, { ...options, only: ['nope'] }), /test: no benchmark named nope/);
  });
});

describe('suite runner failures', () => {
  it('records a run that ends without a report and goes on with the others', async () => {
    const runs: string[] = [];
    const reporting = reportingRun(runs);
    const config: SuiteConfig = {
      name: 'failures',
      out: join(scratch, 'suite-failures'),
      cache: join(scratch, 'cache-failures'),
      setup: { workers: [{ launch: 'local', count: 1, engine: 'cpu' }] },
      benchmarks: ['a', 'b', 'c'].map((name) => ({ name, generate: params({ neurons: 64, layers: 4, rows: 10, seed: 1 }) })),
    };
    const outcome = await runSuite(config, {
      source: 'test',
      force: false,
      runBenchmark: async (run, onShard) => (run.name === 'b' ? Promise.reject(new Error('worker crashed')) : reporting(run, onShard)),
      generate: countingGenerator().generate,
      progress: suiteProgress(pino({ level: 'silent' }), false),
    });
    assert.deepEqual(outcome.failed, [{ benchmark: 'b', message: 'worker crashed' }]);
    assert.deepEqual(readCsv(outcome.files.csv).map((row) => row.benchmark), ['a', 'c']);
  });
});

describe('example suites', () => {
  it('load, with paths relative to the file', () => {
    const small = loadSuite('configs/suite-small.yaml');
    assert.equal(small.benchmarks.length, 3);
    assert.ok(small.benchmarks.every((b) => 'generate' in b));
    const challenge = loadSuite('configs/suite-challenge.yaml');
    assert.equal(challenge.benchmarks.filter((b) => 'generate' in b).length, 12);
    const official = challenge.benchmarks.find((b) => !('generate' in b));
    assert.ok(official && 'model' in official && existsSync(official.model) && existsSync(official.input) && existsSync(official.truth));
  });
});

describe('suite progress', () => {
  it('estimates the time left from the rate so far', () => {
    assert.equal(etaSeconds(10, 0, 8), undefined);
    assert.equal(etaSeconds(10, 2, 8), 30);
    assert.equal(etaSeconds(10, 8, 8), 0);
  });
});
