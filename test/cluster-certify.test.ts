// The cluster's central check certifies a failure: each differing row is recomputed in float64 and
// labelled rounding-fragile or wrong in the report (issue 7).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { runCluster } from '../coordinator/run.js';
import { TRUTH, categoryRows, quietRun, sampleConfig, tempDir } from './cluster-fixture.js';

describe('cluster verification', { timeout: 120_000 }, () => {
  it('a truth that disagrees gives FAILED with every differing row certified wrong', async () => {
    const out = tempDir('cluster-certify');
    const truth = categoryRows(TRUTH).filter((row) => row <= 400); // 287, 295, 386
    const wrongTruth = join(out, 'wrong-truth.tsv');
    writeFileSync(wrongTruth, `${[...truth.slice(1), 7].join('\n')}\n`);
    const config = sampleConfig(join(out, 'run'), {
      truth: wrongTruth,
      rowRange: '1:400',
      workers: [{ launch: 'local', count: 1, engine: 'cpu', threads: 1 }],
    });
    const report = await runCluster(config, quietRun);
    assert.equal(report.status, 'FAILED');
    assert.deepEqual(report.verification?.missing, [7]);
    assert.deepEqual(report.verification?.extra, [truth[0]]);
    const certificate = report.verification?.certificate;
    assert.ok(certificate, 'the failure is certified');
    assert.equal(certificate.wrong, 2);
    assert.equal(certificate.fragile, 0);
    assert.deepEqual(certificate.rows.map((r) => [r.row, r.float64]), [[7, false], [truth[0], true]].sort((a, b) => Number(a[0]) - Number(b[0])));
    const markdown = readFileSync(join(out, 'run', 'report.md'), 'utf8');
    assert.match(markdown, /FAILED: 2 rows differ — 0 rounding-fragile \(float64 agrees with the truth\), 2 wrong/);
  });
});
