// The suite's generator: `snig generate`'s work (common/generate.ts) in this process, writing a binary
// model and binary input rows (fast to load), the TSV rows and their truth into the cache entry's directory.
import { DEFAULT_TOLERANCE, generate } from '../common/generate.js';
import type { Generate } from './input-cache.js';

export const generateInputs: Generate = async (params, dir) => {
  const { files } = await generate({ ...params, format: 'binary', gzip: false, out: dir, threads: 0, tolerance: DEFAULT_TOLERANCE });
  if (!files.modelBinary || !files.inputsBinary) throw new Error(`the generator wrote no binary model or inputs in ${dir}`);
  return { model: files.modelBinary, input: files.inputsBinary, truth: files.truth };
};
