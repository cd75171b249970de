// The suite's generator: `snig generate` in a child process, writing into the cache entry's directory.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

import type { Generate } from './input-cache.js';
import { snigCommand } from './snig-command.js';

export const spawnGenerate: Generate = async (params, dir) => {
  const [command, ...args] = snigCommand();
  const flags = ['--neurons', params.neurons, '--layers', params.layers, '--rows', params.rows, '--seed', params.seed, '--out', dir].map(String);
  const child = spawn(command!, [...args, 'generate', ...flags], { stdio: ['ignore', 'inherit', 'inherit'] });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`snig generate ${flags.join(' ')} exited with ${code}`);
  const n = params.neurons;
  return {
    model: join(dir, `neuron${n}`),
    input: join(dir, `sparse-images-${n}.tsv`),
    truth: join(dir, `neuron${n}-l${params.layers}-categories.tsv`),
  };
};
