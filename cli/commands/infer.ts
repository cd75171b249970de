// `snig infer`: load a model and inputs, infer on one machine, verify against the truth.
import { z } from 'zod';

import { formatChecksum } from '../../common/checksum.js';
import { openInputs, openModel, readTruth } from '../../common/data.js';
import { formatRowRange, resolveRowRange } from '../../common/row-range.js';
import { Engine } from '../../common/engine.js';
import { engineOptionsShape } from '../../common/engine-options.js';
import { writeFileAtomic } from '../../common/atomic-file.js';
import { createProgressBar } from '../../common/progress.js';
import { describePhases, PhaseClock } from '../../common/timing.js';
import { certify, describeRow, describeVerdict, judge } from '../../common/verdict.js';
import { defineCommand } from '../schema-flags.js';
import { inputArgs, modelArgs } from './options.js';
import { outputLogger } from './output-logger.js';
import { outputArgs } from './output-options.js';
import { EXIT } from '../../common/exit-codes.js';

const inferArgs = z.object({
  ...modelArgs,
  ...inputArgs,
  ...engineOptionsShape,
  precision: z.enum(['f32', 'f64']).default('f32').describe('CPU engine precision'),
  certify: z.boolean().default(false).describe('on a mismatch, recompute the differing rows in float64 and label each fragile or wrong'),
  report: z.string().optional().describe('write a JSON report here'),
  ...outputArgs,
});

export const inferCommand = defineCommand({
  command: 'infer',
  describe: 'Run inference on this machine and verify the categories',
  args: inferArgs,
  examples: [
    ['$0 infer --model data/hpec-1024/neuron1024 --input data/hpec-1024/sparse-images-1024-first1200.tsv.gz --truth data/hpec-1024/first1200-l120-categories.tsv', 'the official sample, verified'],
    ['$0 infer --model m.snig --input images.snigrows --row-range 1:600 --engine cuda --kernel snig', 'the first 600 rows with SNIG\'s kernel'],
  ],
  handler: async (args) => {
    const clock = new PhaseClock(); // the total counts from process start: what the user waits
    clock.add('startup', clock.total()); // node and the CLI's modules, before this handler
    const log = outputLogger('infer', args);
    // The layers are read when the engine needs them: never for the fast kernel with a cached reduction.
    const model = await clock.time('model', () => openModel({ ...args, lazy: true }));
    const inputs = await clock.time('inputs', () => openInputs(args.input, model.neurons));
    const span = resolveRowRange(args.rowRange, inputs.rows);
    const range = [span.begin, span.end] as const;
    const truthPath = args.truth;
    const truth = truthPath === undefined ? undefined : await clock.time('truth', () => readTruth(truthPath, inputs.rows));
    log.info({ neurons: model.neurons, layers: model.layers, edges: model.nnz, rows: inputs.rows, ...clock.parts }, 'loaded');

    const engine = await clock.time('engine start', () => Engine.open(model, args));
    // The CUDA engine's rows go to page-locked memory once (a binary file's straight from its columns).
    const placeStart = performance.now();
    const placed = await engine.place(inputs, range);
    if (placed) clock.add('place inputs', (performance.now() - placeStart) / 1000);
    const abort = new AbortController();
    const onSignal = (): void => abort.abort();
    process.once('SIGINT', onSignal);
    const bar = createProgressBar('infer |{bar}| layer {layer}/{layers} live rows {live}', !args.quiet);
    let outcome;
    const callStart = performance.now();
    try {
      outcome = await engine.infer(placed ?? inputs, {
        range,
        precision: args.precision,
        signal: abort.signal,
        onProgress: (p) => bar.update(p.layersDone, p.layers, { layer: p.layersDone, layers: p.layers, live: p.liveRows }),
      });
    } finally {
      bar.stop();
      process.off('SIGINT', onSignal);
      placed?.close();
      engine.close();
    }
    // The call's time beyond the engine's own compute time: input upload, results back, host work.
    clock.add('upload and results', Math.max(0, (performance.now() - callStart) / 1000 - outcome.computeSeconds));
    clock.add('compute', outcome.computeSeconds);

    const check = truth && (await clock.time('verify', () => judge(outcome.categories, truth, range)));
    const totalSeconds = clock.total(); // certifying a mismatch is extra work, after the verdict
    const certificate = check && !check.passed && args.certify ? await certify(model, inputs, check) : undefined;
    const verdict = check && { ...check, certificate };
    const edgesPerSecond = outcome.edges / outcome.computeSeconds;
    const totalEdgesPerSecond = outcome.edges / totalSeconds;

    const lines = [
      `model      ${args.model} (N=${model.neurons}, ${model.layers} layers, ${model.nnz} edges, checksum ${formatChecksum(model.checksum)})`,
      `inputs     ${args.input} (rows ${formatRowRange(span)} of ${inputs.rows})`,
      `engine     ${outcome.engine} (${outcome.kernel})`,
      `read       ${inputs.bytesRead} bytes of input`,
      `time       ${describePhases(totalSeconds, clock.parts)} (from process start to verdict)`,
      `inference  ${outcome.computeSeconds.toFixed(4)} s compute, ${edgesPerSecond.toExponential(3)} edges/s compute, ${totalEdgesPerSecond.toExponential(3)} edges/s total`,
      `categories ${outcome.categories.length}`,
    ];
    if (verdict) {
      lines.push(describeVerdict(verdict));
      for (const row of certificate?.rows ?? []) lines.push(`  ${describeRow(row)}`);
      if (!certificate && !verdict.passed) {
        if (verdict.missing.length) lines.push(`  missing rows: ${verdict.missing.slice(0, 20).join(', ')}${verdict.missing.length > 20 ? ', …' : ''}`);
        if (verdict.extra.length) lines.push(`  extra rows: ${verdict.extra.slice(0, 20).join(', ')}${verdict.extra.length > 20 ? ', …' : ''}`);
      }
    }
    process.stdout.write(`${lines.join('\n')}\n`);

    if (args.report) {
      const report = {
        model: { path: args.model, neurons: model.neurons, layers: model.layers, edges: model.nnz, checksum: formatChecksum(model.checksum) },
        inputs: { path: args.input, rows: inputs.rows, rowRange: formatRowRange(span) },
        engine: outcome.engine,
        kernel: outcome.kernel,
        inputBytesRead: inputs.bytesRead,
        seconds: { total: totalSeconds, parts: clock.parts },
        inferenceSeconds: outcome.computeSeconds,
        edgesPerSecond,
        totalEdgesPerSecond,
        categories: outcome.categories,
        verdict: verdict ? { passed: verdict.passed, missing: verdict.missing, extra: verdict.extra } : null,
        certificate: certificate ?? null,
      };
      writeFileAtomic(args.report, `${JSON.stringify(report, null, 2)}\n`);
    }
    model.close();
    inputs.close();
    if (verdict && !verdict.passed) process.exitCode = EXIT.failed;
  },
});
