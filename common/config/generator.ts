// The generator's parameters, declared once, with their defaults and help text: `snig generate`'s
// flags (cli/commands/generate.ts) and a suite's `generate:` entries (common/config/suite.ts) both
// come from this shape, and common/generate.ts takes what it parses to.
import { z } from 'zod';

import type { RandomWeights } from '../native.js';

export interface Range {
  min: number;
  max: number;
}

/** "K" or "A-B" as a range of numbers; undefined when it is neither. */
export function parseRange(text: string): Range | undefined {
  const parts = text.split('-').map((part) => (part.trim() === '' ? NaN : Number(part)));
  const min = parts[0] ?? NaN;
  const max = parts[1] ?? min;
  return parts.length <= 2 && Number.isFinite(min) && Number.isFinite(max) ? { min, max } : undefined;
}

/** A range written as text ("32", "8-48", a number in YAML), parsed to {min, max}; its default is text, as a user writes it. */
function rangeField(fallback: string, describe: string) {
  return z
    .union([z.string(), z.number()])
    .default(fallback)
    .transform((value, ctx): Range => {
      const range = parseRange(String(value));
      if (range) return range;
      ctx.issues.push({ code: 'custom', message: `a number or a range A-B, not "${value}"`, input: value, continue: true }); // not fatal: a union names it
      return z.NEVER;
    })
    .describe(describe);
}

const positiveInt = z.number().int().positive();
const RANDOM_WEIGHTS = ['uniform', 'positive', 'mixed'] as const satisfies readonly RandomWeights[];

export const generatorShape = {
  neurons: positiveInt.describe('N = 16 * 2^G with a square side (1024, 4096, ...)'),
  layers: positiveInt.describe('number of layers L'),
  rows: positiveInt.default(60000).describe('input rows to generate'),
  seed: z.number().int().nonnegative().default(1).describe('seed of the permutations and augmentations'),
  structure: z.enum(['radix', 'random']).default('radix').describe('radix: a RadiX-Net; random: every neuron reads --fan-in distinct random inputs'),
  fanIn: rangeField('32', 'random: inputs per neuron, K or a range A-B drawn per neuron'),
  randomWeights: z.enum(RANDOM_WEIGHTS).default('uniform').describe('random: 1/16 each, uniform in [1/32, 3/32), or in [-1/16, 3/16)'),
  survive: rangeField('0.015-0.025', 'random without --bias: share of rows to survive the last layer, for the bisection'),
  bias: z.number().optional().describe('bias of every layer (default: the challenge value for N; random: bisected on the first 1000 rows)'),
};

export const generatorParamsSchema = z.object(generatorShape).strict();
export type GeneratorParams = z.output<typeof generatorParamsSchema>;
