// `snig worker --connect tcp://host:port`: a worker on this machine for a coordinator anywhere.
import { hostname } from 'node:os';
import type { CommandModule } from 'yargs';

import { readKeyPair, readPublicKey, type KeyPair } from '../../common/config/keys.js';
import type { EngineChoice } from '../../common/engine.js';
import { WorkerAgent } from '../../worker/agent.js';
import { parseGpuList } from './options.js';
import { outputLogger, withOutputOptions, type OutputArgs } from './output-options.js';

interface WorkerArgs extends OutputArgs {
  connect: string;
  name?: string;
  engine: EngineChoice;
  threads: number;
  kernel: string;
  gpus?: string;
  prefetch: number;
  retries: number;
  'retry-delay-ms': number;
  'max-message-bytes': number;
  key?: string;
  'server-key'?: string;
}

/** The worker's CURVE keys: flags, or (from the local launcher) the environment. */
function curveKeys(args: WorkerArgs): { pair: KeyPair; serverKey: string } | undefined {
  const serverKey = args['server-key'] ?? process.env.SNIG_SERVER_KEY;
  if (!serverKey) return undefined;
  const fromEnv = process.env.SNIG_WORKER_KEY;
  const pair = args.key ? readKeyPair(args.key) : fromEnv ? (JSON.parse(fromEnv) as KeyPair) : undefined;
  if (!pair) throw new Error('--server-key needs --key (this worker\'s key file from `snig keys`)');
  return { pair, serverKey: readPublicKey(serverKey) };
}

export const workerCommand: CommandModule<object, WorkerArgs> = {
  command: 'worker',
  describe: 'run a worker that pulls shards from a coordinator',
  builder: (y) =>
    withOutputOptions(y)
      .option('connect', { type: 'string', demandOption: true, describe: 'coordinator endpoint, tcp://host:port' })
      .option('name', { type: 'string', describe: 'unique worker name (default: host-pid)' })
      .option('engine', { choices: ['auto', 'cpu', 'cuda'] as const, default: 'auto' as EngineChoice })
      .option('threads', { type: 'number', default: 0, describe: 'CPU threads (0: all)' })
      .option('kernel', { type: 'string', default: 'auto', describe: 'CUDA kernel (auto picks the fastest correct one)' })
      .option('gpus', { type: 'string', describe: 'CUDA device ids, e.g. 0,1 (default: all visible)' })
      .option('prefetch', { type: 'number', default: 2, describe: 'shards held at once' })
      .option('retries', { type: 'number', default: 5, describe: 'attempts to reach a silent coordinator before exiting' })
      .option('retry-delay-ms', { type: 'number', default: 1000 })
      .option('max-message-bytes', { type: 'number', default: 64 * 1024 * 1024 })
      .option('key', { type: 'string', describe: 'this worker\'s key file (`snig keys`), for CURVE' })
      .option('server-key', { type: 'string', describe: 'the coordinator\'s public key (Z85 or .pub file)' })
      .check((args) => {
        if (args.name !== undefined && !/^[\w.-]{1,200}$/.test(args.name)) throw new Error('--name: letters, digits, _ . - only');
        return true;
      }),
  handler: async (args) => {
    const log = outputLogger('worker', args);
    const agent = new WorkerAgent({
      connect: args.connect,
      name: args.name ?? `${hostname()}-${process.pid}`,
      engine: args.engine,
      threads: args.threads,
      kernel: args.kernel,
      gpus: parseGpuList(args.gpus),
      prefetch: args.prefetch,
      retries: args.retries,
      retryDelayMs: args['retry-delay-ms'],
      maxMessageBytes: args['max-message-bytes'],
      curve: curveKeys(args),
      log,
    });
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => agent.stop(`received ${signal}`));
    const exit = await agent.run();
    if (exit.code === 0) log.info({ reason: exit.reason }, 'worker done');
    else log.error({ reason: exit.reason }, 'worker stopped');
    process.exitCode = exit.code;
  },
};
