// Smoke test of the bench:cpu peer: the SuiteSparse:GraphBLAS program builds and gives the same
// categories as our CPU engine on the first 3 official layers with the 1200 real images. Skipped,
// with a hint, where libgraphblas-dev is not installed; a failure under CI (the benchmark itself is
// not a test).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { native } from '../common/native.js';
import { timeCpuEngine } from '../scripts/bench/cpu-engine.js';
import { BIAS, NEURONS, officialSample, repoRoot } from '../scripts/bench/data.js';
import { runGraphblas } from '../scripts/bench/graphblas.js';
import { requireService } from './services.js';

const LAYERS = 3;
const skip = requireService(
  'GraphBLAS',
  ['/usr/include/GraphBLAS.h', '/usr/include/suitesparse/GraphBLAS.h'].some(existsSync) ? [] : ['GraphBLAS.h'],
  'apt-get install libgraphblas-dev',
);

test(
  'the GraphBLAS peer builds and agrees with the CPU engine on a 3-layer network',
  { skip },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snig-graphblas-'));
    try {
      const binary = join(dir, 'graphblas_dnn');
      execFileSync(join(repoRoot, 'scripts', 'bench', 'build-graphblas.sh'), [binary], { stdio: 'inherit' });
      const graphblas = await runGraphblas({
        binary, modelDir: officialSample.modelDir, neurons: NEURONS, layers: LAYERS, bias: BIAS,
        input: officialSample.input, rows: 0, threads: 2, repeat: 1, categoriesPath: join(dir, 'categories.tsv'),
      });

      const addon = native();
      const model = await addon.loadModel({ path: officialSample.modelDir, layers: LAYERS, threads: 2 });
      const inputs = await addon.readInputs({ path: officialSample.input, neurons: NEURONS, rows: 0 });
      const ours = await timeCpuEngine(model, inputs, 2, 1);
      const nnz = model.nnz;
      inputs.close();
      model.close();

      assert.equal(graphblas.rows, 1200);
      assert.equal(graphblas.nnz, nnz);
      // After 3 layers most, but not all, of the 1200 rows are alive: a set worth comparing.
      assert.ok(graphblas.categoryRows.length > 100 && graphblas.categoryRows.length < 1200);
      assert.deepEqual(graphblas.categoryRows, ours.categories);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
