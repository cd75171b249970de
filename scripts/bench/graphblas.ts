// Runs the SuiteSparse:GraphBLAS peer (graphblas_dnn.c, built by build-graphblas.sh) and reads
// back its timing and categories.
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';

const run = promisify(execFile);

const Report = z.object({
  engine: z.literal('graphblas'),
  version: z.string(),
  threads: z.number().int(),
  rows: z.number().int(),
  repeat: z.number().int(),
  layers: z.number().int(),
  neurons: z.number().int(),
  nnz: z.number().int(),
  seconds: z.number(),
  bestSeconds: z.number(),
  edgesPerSecond: z.number(),
  categories: z.number().int(),
});

export interface GraphblasRequest {
  binary: string;
  modelDir: string;
  neurons: number;
  layers: number;
  bias: number;
  input: string;
  rows: number; // 0: the input file's largest row index
  threads: number;
  repeat: number;
  categoriesPath: string;
}

export type GraphblasResult = z.infer<typeof Report> & { categoryRows: number[] };

export async function runGraphblas(request: GraphblasRequest): Promise<GraphblasResult> {
  const args = [
    '--model', request.modelDir, '--neurons', String(request.neurons), '--layers', String(request.layers),
    '--bias', String(request.bias), '--input', request.input, '--rows', String(request.rows),
    '--threads', String(request.threads), '--repeat', String(request.repeat),
    '--categories', request.categoriesPath,
  ];
  await mkdir(dirname(request.categoriesPath), { recursive: true });
  await rm(request.categoriesPath, { force: true });
  const { stdout } = await run(request.binary, args, { maxBuffer: 1 << 20 });
  const report = Report.parse(JSON.parse(stdout));
  const text = await readFile(request.categoriesPath, 'utf8');
  const categoryRows = text.split('\n').filter((line) => line !== '').map(Number);
  if (categoryRows.length !== report.categories) {
    throw new Error(`${request.categoriesPath}: ${categoryRows.length} rows, but GraphBLAS reported ${report.categories}`);
  }
  return { ...report, categoryRows };
}
