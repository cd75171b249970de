// `snig worker --connect tcp://host:port`: a worker on this machine for a coordinator anywhere.
import { hostname } from 'node:os';
import { z } from 'zod';

import { readKeyPair, readPublicKey, type KeyPair } from '../../common/config/keys.js';
import { maxMessageBytesField, workerSettingsShape } from '../../common/config/schema.js';
import { engineOptionsShape, type EngineOptions } from '../../common/engine-options.js';
import { WorkerAgent, type Preloading } from '../../worker/agent.js';
import { defineCommand, overrides } from '../schema-flags.js';
import { outputLogger } from './output-logger.js';
import { outputArgs } from './output-options.js';

// The engine comes from the group's config in `welcome`; a flag overrides it on this machine.
const engineOverridesSchema = z.object(overrides(engineOptionsShape));

export const workerArgs = z.object({
  connect: z.string().min(1).describe('coordinator endpoint, tcp://host:port'),
  name: z.string().regex(/^[\w.-]{1,200}$/, 'letters, digits, _ . - only').optional().describe('unique worker name (default: host-pid)'),
  group: z.number().int().nonnegative().optional().describe("the run config's worker group (default: its first manual one)"),
  ...engineOverridesSchema.shape,
  ...workerSettingsShape,
  maxMessageBytes: maxMessageBytesField,
  key: z.string().optional().describe("this worker's key file (`snig keys`), for CURVE"),
  serverKey: z.string().optional().describe("the coordinator's public key (Z85 or .pub file)"),
  ...outputArgs,
});
export type WorkerArgs = z.output<typeof workerArgs>;

/** The engine options this worker's flags override (the rest come from its group, in `welcome`). */
export function engineOverrides(args: Omit<WorkerArgs, 'connect'>): Partial<EngineOptions> {
  return engineOverridesSchema.parse(args);
}

/** The worker's CURVE keys: flags, or (from the local launcher) the environment. */
function curveKeys(args: WorkerArgs): { pair: KeyPair; serverKey: string } | undefined {
  const serverKey = args.serverKey ?? process.env.SNIG_SERVER_KEY;
  if (!serverKey) return undefined;
  const fromEnv = process.env.SNIG_WORKER_KEY;
  const pair = args.key ? readKeyPair(args.key) : fromEnv ? (JSON.parse(fromEnv) as KeyPair) : undefined;
  if (!pair) throw new Error('--server-key needs --key (this worker\'s key file from `snig keys`)');
  return { pair, serverKey: readPublicKey(serverKey) };
}

/** What a local worker of `snig run` is given besides its settings (cli/local-worker.ts). */
export interface LocalRun {
  preload?: Preloading;
  /** Aborted when `snig run`'s process has ended: its coordinator is gone, and the worker leaves at once. */
  ended: AbortSignal;
}

/** Works for the coordinator until finished, rejected or gone; the process's exit code. */
export async function runWorker(args: WorkerArgs, local?: LocalRun): Promise<number> {
  const log = outputLogger('worker', args);
  const agent = new WorkerAgent({
    connect: args.connect,
    name: args.name ?? `${hostname()}-${process.pid}`,
    group: args.group,
    engine: engineOverrides(args),
    prefetch: args.prefetch,
    retries: args.retries,
    retryDelayMs: args.retryDelayMs,
    maxMessageBytes: args.maxMessageBytes,
    curve: curveKeys(args),
    preload: local?.preload,
    log,
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => agent.stop(`received ${signal}`));
  const ended = local?.ended;
  const gone = (): void => agent.coordinatorGone('snig run has ended (its coordinator is gone)');
  if (ended?.aborted) gone();
  else ended?.addEventListener('abort', gone, { once: true });
  const exit = await agent.run();
  ended?.removeEventListener('abort', gone);
  if (exit.code === 0) log.info({ reason: exit.reason }, 'worker done');
  else log.error({ reason: exit.reason }, 'worker stopped');
  return exit.code;
}

export const workerCommand = defineCommand({
  command: 'worker',
  describe: 'run a worker that pulls shards from a coordinator',
  args: workerArgs,
  examples: [
    ['$0 worker --connect tcp://head:5555 --engine cuda --gpus 0,1', 'a GPU worker for the coordinator on host head'],
    ['$0 worker --connect tcp://head:5555 --key keys/node01.key --server-key keys/coordinator.pub', 'with CURVE'],
  ],
  handler: async (args) => {
    process.exitCode = await runWorker(args);
  },
});
