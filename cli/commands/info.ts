// `snig info`: the engine build, whether CUDA is compiled in, and the GPUs seen; with --model, the
// CUDA kernel `--kernel auto` picks for that model and why.
import { z } from 'zod';

import { openModel } from '../../common/data.js';
import { native } from '../../common/native.js';
import { defineCommand } from '../schema-flags.js';

async function autoKernel(path: string): Promise<{ kernel: string; reason: string }> {
  const model = await openModel({ model: path });
  try {
    return await native().kernelChoice(model);
  } finally {
    model.close();
  }
}

export const infoCommand = defineCommand({
  command: 'info',
  describe: 'Show the engine build and the GPUs seen (with --model: the CUDA kernel auto picks)',
  args: z.object({
    json: z.boolean().default(false).describe('print JSON'),
    model: z.string().optional().describe('a model (binary file or official layout): which CUDA kernel auto picks and why'),
  }),
  handler: async (args) => {
    const info = native().info();
    const auto = args.model === undefined ? undefined : await autoKernel(args.model);
    if (args.json) {
      process.stdout.write(`${JSON.stringify(auto ? { ...info, autoKernel: auto } : info, null, 2)}\n`);
      return;
    }
    const lines = [
      `snig ${info.version}`,
      `CPU threads  ${info.threads}`,
      `CUDA         ${info.cudaCompiled ? 'compiled in' : 'not compiled (nvcc was not found at build time)'}`,
      `GPUs         ${info.gpus.length}`,
      ...info.gpus.map((g) => `  ${g.id}: ${g.name}, ${(g.memoryBytes / 2 ** 30).toFixed(1)} GiB, ${g.multiprocessors} SMs, sm_${g.computeCapability.replace('.', '')}`),
      ...(auto ? [`auto kernel  ${auto.kernel}: ${auto.reason}`] : []),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  },
});
