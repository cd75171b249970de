// On the GPU machine, through node: every CUDA kernel against the CPU engine on networks that are not
// RadiX-Nets (random inputs per neuron; random weights; pairs of identical columns), so the fast
// path's structure analysis must fall back or reduce only where it holds. Categories must be equal
// and every row sum within 1e-5 relative. The models come from make-fallback-models.ts; on the device
// (node and the runtime unpacked as in node-check.sh, models decompressed with xz -d):
//   node scripts/device/fallback-check.mjs /tmp/runtime/dist data/hpec-1024/sparse-images-1024-first1200.tsv.gz *.snig
import { pathToFileURL } from 'node:url';

const [dist, images, ...models] = process.argv.slice(2);
const { openModel, openInputs } = await import(pathToFileURL(`${dist}/common/data.js`).href);
const { Engine } = await import(pathToFileURL(`${dist}/common/engine.js`).href);

let failed = false;
for (const path of models) {
  const model = await openModel({ model: path });
  const inputs = await openInputs(images, model.neurons);
  const run = async (options) => {
    const engine = await Engine.open(model, options);
    try {
      return await engine.infer(inputs, { rowSums: true });
    } finally {
      engine.close();
    }
  };
  const cpu = await run({ engine: 'cpu' });
  for (const kernel of ['snig', 'fast']) {
    const gpu = await run({ engine: 'cuda', kernel });
    const sameCategories = gpu.categories.join(',') === cpu.categories.join(',');
    let worst = 0;
    cpu.rowSums.forEach((want, r) => {
      worst = Math.max(worst, Math.abs(gpu.rowSums[r] - want) / Math.max(1, Math.abs(want)));
    });
    const ok = sameCategories && worst <= 1e-5;
    failed ||= !ok;
    console.log(`${path.split('/').pop()} | ${kernel} (${gpu.kernel}) | categories ${gpu.categories.length} ${sameCategories ? '= cpu' : '≠ cpu'} | worst row-sum error ${worst.toExponential(2)} | ${ok ? 'PASSED' : 'FAILED'}`);
  }
  inputs.close();
  model.close();
}
process.exit(failed ? 1 : 0);
