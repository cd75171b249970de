// `snig suite` end to end: the small suite (3 generated networks, CPU engine, 2 local workers) through
// the real CLI, generator and cluster runs; its CSV, Markdown and SVG agree with the run reports.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import type { RunReport } from '../coordinator/report.js';
import { formatRate, formatSeconds } from '../suite/results-markdown.js';
import { readCsv, snig, svgBars } from './suite-helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'snig-suite-'));
after(() => rmSync(scratch, { recursive: true, force: true }));


describe('snig suite (small generated suite, CPU, 2 local workers)', { timeout: 300_000 }, () => {
  const out = join(scratch, 'out');
  const cache = join(scratch, 'cache');
  const suite = ['suite', 'configs/suite-small.yaml', '--out', out, '--cache', cache];

  it('writes results that agree with every run report, and a chart with one bar per benchmark', async () => {
    const first = await snig(suite);
    assert.equal(first.code, 0, `${first.stdout}\n${first.stderr}`);
    assert.match(first.stdout, /^3\/3 benchmarks PASSED\n/);

    const csv = readCsv(join(out, 'results.csv'));
    assert.deepEqual(csv.map((row) => row.benchmark), ['gen-1024x6', 'gen-1024x12', 'gen-1024x24']);
    const markdown = readFileSync(join(out, 'results.md'), 'utf8');
    for (const row of csv) {
      const report = JSON.parse(readFileSync(row.report!, 'utf8')) as RunReport;
      assert.equal(report.status, 'PASSED');
      assert.equal(report.verification?.passed, true);
      assert.equal(Number(row.rows), report.rows);
      assert.equal(Number(row.seconds), report.wallSeconds);
      assert.equal(Number(row.edges), report.edges);
      assert.equal(Number(row.edgesPerSecond), report.edgesPerSecond);
      assert.equal(Number(row.totalSeconds), report.seconds.total);
      assert.ok(report.seconds.total > report.wallSeconds, 'the total holds the shards and more');
      // Workers that registered (a fast run can finish before the second one joins).
      assert.equal(Number(row.workers), report.workers.length);
      assert.ok(report.workers.length >= 1 && report.workers.length <= 2);
      assert.equal(Number(row.nodes), 1);
      assert.equal(Number(row.gpus), 0);
      assert.equal(row.passed, 'true');
      const times = `${formatSeconds(report.wallSeconds)} | ${formatSeconds(report.seconds.total)} | ${formatRate(report.edgesPerSecond)} | ${formatRate(report.totalEdgesPerSecond)}`;
      const line = `| ${row.benchmark} | ${row.rows} | 1 | 0 | ${times} | PASSED |`;
      assert.ok(markdown.includes(line), `${line} in\n${markdown}`);
    }

    const bars = svgBars(join(out, 'results.svg'));
    assert.deepEqual(bars.map((b) => [b.benchmark, b.verdict]), csv.map((row) => [row.benchmark, 'PASSED']));
    // Taller bar for more edges/s; bar height is linear in log(edges/s).
    const rates = csv.map((row) => Number(row.edgesPerSecond));
    for (let i = 0; i < bars.length; i++) {
      for (let j = 0; j < bars.length; j++) {
        if (rates[i]! > rates[j]! * 1.0001) assert.ok(bars[i]!.height > bars[j]!.height, `${bars[i]!.benchmark} taller than ${bars[j]!.benchmark}`);
      }
    }
  });

  it('makes each generated input once and skips finished benchmarks on a re-run unless forced', async () => {
    assert.equal(readdirSync(cache).filter((name) => !name.includes('.tmp-')).length, 3);
    const before = readFileSync(join(out, 'results.csv'), 'utf8');
    const again = await snig(suite);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /3 done before, reused/);
    assert.equal(readFileSync(join(out, 'results.csv'), 'utf8'), before);

    const reportPath = readCsv(join(out, 'results.csv'))[0]!.report!;
    const startedBefore = (JSON.parse(readFileSync(reportPath, 'utf8')) as RunReport).startedAt;
    const forced = await snig([...suite, '--force', '--only', 'gen-1024x6']);
    assert.equal(forced.code, 0, forced.stderr);
    const rerun = readCsv(join(out, 'results.csv'));
    assert.deepEqual(rerun.map((row) => row.benchmark), ['gen-1024x6', 'gen-1024x12', 'gen-1024x24'], 'the others keep their results');
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as RunReport;
    assert.notEqual(report.startedAt, startedBefore, 'gen-1024x6 ran again');
    assert.equal(Number(rerun[0]!.edgesPerSecond), report.edgesPerSecond);
    assert.equal(readdirSync(cache).length, 3, 'no input generated again');
  });
});
