// A suite config: a list of benchmarks evaluated with one cluster/engine setup (`snig suite`).
// Each benchmark is either files on disk (the official layout or a binary model) or a generated,
// challenge-shaped network whose inputs are made once and cached by their generator parameters.
import { z } from 'zod';

import { generatorParamsSchema } from './generator.js';

const positiveInt = z.number().int().positive();

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

/**
 * Files on disk, or a generated network (an entry with `generate:`). Each kind is checked by its own
 * schema, so that an error names the field at fault (a union of the two could only say "Invalid input").
 */
const benchmarkSchema = z.unknown().transform((value, ctx): z.output<typeof fileBenchmarkSchema> | z.output<typeof generatedBenchmarkSchema> => {
  const generated = typeof value === 'object' && value !== null && 'generate' in value;
  const parsed = generated ? generatedBenchmarkSchema.safeParse(value) : fileBenchmarkSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.issues.push({ ...issue, input: value, continue: true } as z.core.$ZodRawIssue); // not fatal: the suite's own checks run too
  return z.NEVER;
});

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
      if (typeof benchmark.name !== 'string') return; // an entry that failed its own checks (named above)
      const first = seen.get(benchmark.name);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['benchmarks', i, 'name'], message: `"${benchmark.name}" is also benchmarks[${first}]` });
      }
      seen.set(benchmark.name, i);
    });
    for (const key of ['model', 'input', 'truth', 'out', 'layers', 'bias', 'rowRange']) {
      if (key in suite.setup) {
        ctx.addIssue({ code: 'custom', path: ['setup', key], message: 'is set per benchmark, not in setup' });
      }
    }
  });

export type Benchmark = z.output<typeof benchmarkSchema>;
export type SuiteConfig = z.output<typeof suiteConfigSchema>;
