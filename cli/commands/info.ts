// `snig info`: the engine build, whether CUDA is compiled in, and the GPUs seen.
import { z } from 'zod';

import { native } from '../../common/native.js';
import { defineCommand } from '../schema-flags.js';

export const infoCommand = defineCommand({
  command: 'info',
  describe: 'Show the engine build and the GPUs seen',
  args: z.object({ json: z.boolean().default(false).describe('print JSON') }),
  handler: (args) => {
    const info = native().info();
    if (args.json) {
      process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
      return;
    }
    const lines = [
      `snig ${info.version}`,
      `CPU threads  ${info.threads}`,
      `CUDA         ${info.cudaCompiled ? 'compiled in' : 'not compiled (nvcc was not found at build time)'}`,
      `GPUs         ${info.gpus.length}`,
      ...info.gpus.map((g) => `  ${g.id}: ${g.name}, ${(g.memoryBytes / 2 ** 30).toFixed(1)} GiB, ${g.multiprocessors} SMs, sm_${g.computeCapability.replace('.', '')}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  },
});
