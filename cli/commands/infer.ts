// `snig infer`: load a model and inputs, infer on one machine, verify against the truth.
import type { CommandModule } from 'yargs';

import { certify, describeCertificate } from '../../common/certify.js';
import { openInputs, openModel, parseRowRange, readTruth } from '../../common/data.js';
import { Engine, type Precision } from '../../common/engine.js';
import type { WeightMode } from '../../common/native.js';
import { writeFileAtomic } from '../../common/atomic-file.js';
import { createProgressBar } from '../../common/progress.js';
import { describePhases, PhaseClock } from '../../common/timing.js';
import { describeCheck, verifyCategories, type CategoryCheck } from '../../common/verify.js';
import { parseGpuList, withEngineOptions, withInputOptions, withModelOptions } from './options.js';
import { outputLogger, withOutputOptions, type OutputArgs } from './output-options.js';

interface InferArgs extends OutputArgs {
  model: string;
  input: string;
  truth?: string;
  bias?: number;
  layers?: number;
  threads: number;
  engine: 'auto' | 'cpu' | 'cuda';
  kernel: string;
  gpus?: string;
  weights: WeightMode;
  rows?: string;
  precision: Precision;
  certify: boolean;
  report?: string;
}

export const inferCommand: CommandModule<object, InferArgs> = {
  command: 'infer',
  describe: 'Run inference on this machine and verify the categories',
  builder: (yargs) =>
    withOutputOptions(withEngineOptions(withInputOptions(withModelOptions(yargs))))
      .option('rows', { type: 'string', describe: 'input rows a:b (1-based, inclusive)' })
      .option('precision', { choices: ['f32', 'f64'] as const, default: 'f32' as const, describe: 'CPU engine precision' })
      .option('certify', { type: 'boolean', default: false, describe: 'on a mismatch, recompute the differing rows in float64 and label each fragile or wrong' })
      .option('report', { type: 'string', describe: 'write a JSON report here' }) as never,
  handler: async (args) => {
    const clock = new PhaseClock(); // the total counts from process start: what the user waits
    clock.add('startup', clock.total()); // node and the CLI's modules, before this handler
    const log = outputLogger('infer', args);
    const model = await clock.time('model', () => openModel(args));
    const inputs = await clock.time('inputs', () => openInputs(args.input, model.neurons));
    const rows = args.rows ? parseRowRange(args.rows, inputs.rows) : ([0, inputs.rows] as const);
    const truthPath = args.truth;
    const truth = truthPath === undefined ? undefined : await clock.time('truth', () => readTruth(truthPath, inputs.rows));
    log.info({ neurons: model.neurons, layers: model.layers, edges: model.nnz, rows: inputs.rows, ...clock.parts }, 'loaded');

    const engine = await clock.time('engine start', () =>
      Engine.open(model, {
        engine: args.engine,
        threads: args.threads,
        gpus: parseGpuList(args.gpus),
        kernel: args.kernel,
        weights: args.weights,
      }),
    );
    const abort = new AbortController();
    const onSignal = (): void => abort.abort();
    process.once('SIGINT', onSignal);
    const bar = createProgressBar('infer |{bar}| layer {layer}/{layers} live rows {live}', !args.quiet);
    let outcome;
    const callStart = performance.now();
    try {
      outcome = await engine.infer(inputs, {
        rows,
        precision: args.precision,
        signal: abort.signal,
        onProgress: (p) => bar.update(p.layersDone, p.layers, { layer: p.layersDone, layers: p.layers, live: p.liveRows }),
      });
    } finally {
      bar.stop();
      process.off('SIGINT', onSignal);
      engine.close();
    }
    // The call's time beyond the engine's own compute time: input upload, results back, host work.
    clock.add('upload and results', Math.max(0, (performance.now() - callStart) / 1000 - outcome.seconds));
    clock.add('compute', outcome.seconds);

    // Truth rows outside the inferred range are not this run's to check.
    const truthInRange = truth?.filter((row) => row > rows[0] && row <= rows[1]);
    const verdict: CategoryCheck | undefined = truthInRange && (await clock.time('verify', async () => verifyCategories(outcome.categories, truthInRange)));
    const totalSeconds = clock.total();
    const certificate = verdict && !verdict.passed && args.certify ? await certify(model, inputs, verdict) : undefined;
    const edgesPerSecond = outcome.edges / outcome.seconds;
    const totalEdgesPerSecond = outcome.edges / totalSeconds;

    const lines = [
      `model      ${args.model} (N=${model.neurons}, ${model.layers} layers, ${model.nnz} edges, checksum ${model.checksum.toString(16).padStart(8, '0')})`,
      `inputs     ${args.input} (rows ${rows[0] + 1}:${rows[1]} of ${inputs.rows})`,
      `engine     ${outcome.engine} (${outcome.kernel})`,
      `read       ${inputs.bytesRead} bytes of input`,
      `time       ${describePhases(totalSeconds, clock.parts)} (from process start to verdict)`,
      `inference  ${outcome.seconds.toFixed(4)} s compute, ${edgesPerSecond.toExponential(3)} edges/s compute, ${totalEdgesPerSecond.toExponential(3)} edges/s total`,
      `categories ${outcome.categories.length}`,
    ];
    if (verdict) {
      lines.push(certificate ? describeCertificate(certificate) : describeCheck(verdict));
      for (const row of certificate?.rows ?? []) {
        lines.push(
          `  row ${row.row}: reported ${row.reported ? 'nonzero' : 'zero'}, truth ${row.truth ? 'nonzero' : 'zero'}, float64 ${row.float64 ? 'nonzero' : 'zero'}, ` +
            `died at layer ${row.deathLayerF32 || '-'} (f32) / ${row.deathLayerF64 || '-'} (f64), margin ${row.minMargin.toExponential(2)} — ${row.fragile ? 'rounding-fragile' : 'wrong'}`,
        );
      }
      if (!certificate && !verdict.passed) {
        if (verdict.missing.length) lines.push(`  missing rows: ${verdict.missing.slice(0, 20).join(', ')}${verdict.missing.length > 20 ? ', …' : ''}`);
        if (verdict.extra.length) lines.push(`  extra rows: ${verdict.extra.slice(0, 20).join(', ')}${verdict.extra.length > 20 ? ', …' : ''}`);
      }
    }
    process.stdout.write(`${lines.join('\n')}\n`);

    if (args.report) {
      const report = {
        model: { path: args.model, neurons: model.neurons, layers: model.layers, edges: model.nnz, checksum: model.checksum },
        inputs: { path: args.input, rows: inputs.rows, range: [rows[0] + 1, rows[1]] },
        engine: outcome.engine,
        kernel: outcome.kernel,
        inputBytesRead: inputs.bytesRead,
        seconds: { total: totalSeconds, ...clock.parts },
        inferenceSeconds: outcome.seconds,
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
    if (verdict && !verdict.passed) process.exitCode = 1;
  },
};
