// Arguments shared by the commands that take a model and inputs (`infer`, `convert`, ...); the
// engine's come from common/engine-options.ts.
import { z } from 'zod';

import { ROW_RANGE_HELP } from '../../common/row-range.js';

export const modelArgs = {
  model: z.string().min(1).describe('binary model file, or directory of n<N>-l<k>.tsv[.gz] files'),
  bias: z.number().optional().describe("bias of every layer without a bias file n<N>-l<k>-bias.tsv (default: the challenge's for N = 1024/4096/16384/65536)"),
  layers: z.number().int().positive().optional().describe('layers to use (default: every layer file present)'),
};

export const inputArgs = {
  input: z.string().min(1).describe('input rows: sparse-images-<N>.tsv[.gz] or binary inputs (snig convert --inputs)'),
  truth: z.string().min(1).optional().describe('categories file to verify against'),
  rowRange: z.string().optional().describe(`input ${ROW_RANGE_HELP}`),
};
