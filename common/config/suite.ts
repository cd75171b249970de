// A suite config: a list of benchmarks evaluated with one cluster/engine setup (`snig suite`).
// Each benchmark is either files on disk (the official layout or a binary model) or a generated,
// challenge-shaped network whose inputs are made once and cached by their generator parameters.
import { z } from 'zod';

const positiveInt = z.number().int().positive();

/** Parameters of `snig generate`: equal parameters give equal files, so they key the cache. */
export const generatorParamsSchema = z
  .object({
    neurons: positiveInt,
    layers: positiveInt,
    rows: positiveInt,
    seed: z.number().int().nonnegative().default(1),
    bias: z.number().optional(), // default: the challenge value for N (required for other N)
  })
  .strict();

const benchmarkName = z.string().regex(/^[\w.+-]+$/, 'letters, digits, ".", "+", "_" or "-" (it names a directory)');

const fileBenchmarkSchema = z
  .object({
    name: benchmarkName,
    model: z.string().min(1),
    input: z.string().min(1),
    truth: z.string().min(1),
    layers: positiveInt.optional(),
    bias: z.number().optional(),
  })
  .strict();

const generatedBenchmarkSchema = z
  .object({
    name: benchmarkName,
    generate: generatorParamsSchema,
  })
  .strict();

export const benchmarkSchema = z.union([fileBenchmarkSchema, generatedBenchmarkSchema]);

export const suiteConfigSchema = z
  .object({
    name: z.string().min(1).default('suite'),
    out: z.string().min(1), // results.csv, results.md, results.svg and runs/<benchmark>/
    cache: z.string().min(1).default('.cache/suite-inputs'), // generated inputs, keyed by parameters
    // The cluster/engine setup shared by every benchmark: fields of a run config (workers, shards,
    // coordinator, worker, mode, security) without the per-benchmark ones (model, input, truth, out).
    setup: z.record(z.string(), z.unknown()).default({}),
    benchmarks: z.array(benchmarkSchema).min(1),
  })
  .strict()
  .superRefine((suite, ctx) => {
    const seen = new Map<string, number>();
    suite.benchmarks.forEach((benchmark, i) => {
      const first = seen.get(benchmark.name);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['benchmarks', i, 'name'], message: `"${benchmark.name}" is also benchmarks[${first}]` });
      }
      seen.set(benchmark.name, i);
    });
    for (const key of ['model', 'input', 'truth', 'out', 'layers', 'bias', 'rows']) {
      if (key in suite.setup) {
        ctx.addIssue({ code: 'custom', path: ['setup', key], message: 'is set per benchmark, not in setup' });
      }
    }
  });

export type GeneratorParams = z.output<typeof generatorParamsSchema>;
export type Benchmark = z.output<typeof benchmarkSchema>;
export type SuiteConfig = z.output<typeof suiteConfigSchema>;
