// The worker agent: the edge around the pure protocol core (worker/core.ts). It owns the DEALER
// socket, the clock and the workload (model, inputs, engine), feeds what happens to the core and
// carries out the actions it returns.
import { hostname } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import { Dealer } from 'zeromq';

import type { KeyPair } from '../common/config/keys.js';
import { withOverrides, type EngineOptions } from '../common/engine-options.js';
import { EXIT } from '../common/exit-codes.js';
import { isNativeError, native } from '../common/native.js';
import type { Preload, WorkloadFiles } from '../common/preload.js';
import { decodeCoordinatorMessage, encode } from '../common/protocol/codec.js';
import type { Welcome } from '../common/protocol/messages.js';
import { SerialSender } from '../common/protocol/serial-sender.js';
import { WorkerCore, type AgentAction, type AgentEvent, type WorkerExit } from './core.js';
import { Workload, writeStreamedModel } from './workload.js';

export type { WorkerExit } from './core.js';

export interface WorkerOptions {
  connect: string;
  name: string; // routing id: unique per worker
  group?: number; // the run config's worker group (the coordinator's default when absent)
  engine: Partial<EngineOptions>; // overrides of the group's engine options, for this machine
  prefetch: number;
  retries: number;
  retryDelayMs: number;
  maxMessageBytes: number;
  curve?: { pair: KeyPair; serverKey: string };
  /** Files being opened before the welcome (a local worker of `snig run`: startPreload): a welcome naming the same takes them. */
  preload?: Preloading;
  log: Logger;
}

/** A workload being opened before the welcome, and what it was opened from. */
export interface Preloading {
  files: WorkloadFiles;
  choice: EngineOptions;
  workload: Promise<Workload | undefined>; // undefined: not a binary model, or it failed (the welcome's load then says why)
}

/**
 * Starts opening what a run's configuration names (a local worker of `snig run`, before it knows
 * its coordinator's endpoint) with this worker's engine overrides. A model that is not a binary one
 * is left to the welcome: the coordinator converts it into the run's folder.
 */
export function startPreload(preload: Preload, overrides: Partial<EngineOptions>): Preloading {
  const { engine, ...files } = preload;
  const choice = withOverrides(engine, overrides);
  const workload = native().isBinaryModel(files.model) ? Workload.openFiles(files, choice).catch(() => undefined) : Promise.resolve(undefined);
  return { files, choice, workload };
}

/** The same engine options (an option left out equals one given as undefined). */
function sameOptions(a: EngineOptions, b: EngineOptions): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof EngineOptions>;
  return [...keys].every((key) => isDeepStrictEqual(a[key], b[key]));
}

export class WorkerAgent {
  private readonly dealer: Dealer;
  private readonly sender: SerialSender;
  private readonly core: WorkerCore;
  private workload?: Workload;
  private preloading?: Preloading;
  private loading?: Promise<void>; // the model being loaded and the engine opened
  private running?: Promise<void>; // the shard the engine is on
  private readonly cancel = new AbortController(); // aborted on exit: the shard under way is nobody's any more
  private timer?: NodeJS.Timeout;
  private settle!: (exit: WorkerExit) => void;
  readonly exited: Promise<WorkerExit> = new Promise((resolve) => (this.settle = resolve));

  constructor(private readonly options: WorkerOptions) {
    const { curve } = options;
    this.dealer = new Dealer({
      routingId: options.name,
      maxMessageSize: options.maxMessageBytes,
      linger: 1000,
      sendTimeout: 2000, // a send that cannot be queued fails instead of blocking shutdown
      // A coordinator's host that vanishes closes no connection: the kernel finds it and closes it,
      // which the core counts as a closed connection. Idle, by keepalive probes (after about 5 + 3 × 2
      // s); sending (heartbeats), by data unacknowledged for 10 s (ZMQ_TCP_MAXRT: TCP_USER_TIMEOUT on
      // Linux). A coordinator that is only slow, or stopped, still has a kernel that answers both.
      tcpKeepalive: 1,
      tcpKeepaliveIdle: 5,
      tcpKeepaliveInterval: 2,
      tcpKeepaliveCount: 3,
      tcpMaxRetransmitTimeout: 10_000,
      ...(curve ? { curveServerKey: curve.serverKey, curvePublicKey: curve.pair.public, curveSecretKey: curve.pair.secret } : {}),
    });
    this.sender = new SerialSender(this.dealer, (error) => options.log.warn({ err: error }, 'send failed'));
    const { connect, group, prefetch, retries, retryDelayMs } = options;
    this.core = new WorkerCore({ connect, host: hostname(), pid: process.pid, group, prefetch, retries, retryDelayMs });
  }

  /** Connects and works until finished, rejected or the coordinator is gone for good. */
  async run(): Promise<WorkerExit> {
    const { connect } = this.options;
    // Watched from before the connect: a local coordinator's handshake takes microseconds.
    this.dealer.events.on('handshake', () => this.event({ kind: 'connection', up: true, at: Date.now() }));
    this.dealer.events.on('disconnect', () => this.event({ kind: 'connection', up: false, at: Date.now() }));
    try {
      this.dealer.connect(connect);
    } catch (error) {
      this.dealer.close();
      throw new Error(`cannot connect to ${connect}: ${(error as Error).message} (an endpoint is tcp://host:port)`);
    }
    this.preloading = this.options.preload;
    this.options.log.info({ connect: this.options.connect, name: this.options.name }, 'worker connecting');
    this.event({ kind: 'start', at: Date.now() });
    this.timer = setInterval(() => this.event({ kind: 'tick', at: Date.now() }), Math.max(10, Math.min(250, this.options.retryDelayMs / 2)));
    void this.receive();
    const exit = await this.exited;
    await this.shutdown();
    return exit;
  }

  /** Leaves cleanly (SIGTERM, SIGINT): tells the coordinator so its shards go back at once. */
  stop(reason: string): void {
    this.event({ kind: 'stop', reason });
  }

  /** Leaves at once: the coordinator's process is known to have ended, so nothing is left to send. */
  coordinatorGone(reason: string): void {
    this.event({ kind: 'coordinator-gone', reason });
  }

  private event(event: AgentEvent): void {
    for (const action of this.core.handle(event)) this.carryOut(action);
  }

  private carryOut(action: AgentAction): void {
    const { log } = this.options;
    switch (action.kind) {
      case 'send':
        void this.sender.send([encode(action.message)]);
        return;
      case 'log':
        log[action.level](action.fields ?? {}, action.message);
        return;
      case 'reconnect':
        // A half-open TCP connection, or one the coordinator handed to another process under this name.
        this.dealer.disconnect(this.options.connect);
        this.dealer.connect(this.options.connect);
        return;
      case 'unload':
        this.workload?.close();
        this.workload = undefined;
        return;
      case 'load':
        this.loading = this.load(action.epoch, action.welcome, action.bytes);
        return;
      case 'run':
        this.running = this.runShard(action);
        return;
      case 'exit':
        this.cancel.abort(); // no result is sent after the exit: the engine call under way is cancelled
        if (action.exit.code === EXIT.gone) this.dealer.linger = 0; // nobody is left to send to
        this.settle(action.exit);
        return;
    }
  }

  private async receive(): Promise<void> {
    try {
      for await (const frames of this.dealer) {
        const payload = frames[0];
        const decoded = frames.length === 1 && payload ? decodeCoordinatorMessage(payload) : { ok: false as const, error: `${frames.length} frames` };
        if (decoded.ok) this.event({ kind: 'message', at: Date.now(), message: decoded.message });
        else this.options.log.warn({ reason: decoded.error }, 'message dropped');
      }
    } catch (error) {
      this.event({ kind: 'socket-failed', message: (error as Error).message });
    }
  }

  /** Loads the model named in `welcome` (or the streamed `bytes`) and opens the group's engine. */
  private async load(epoch: number, welcome: Welcome, bytes?: Uint8Array): Promise<void> {
    const file = bytes && writeStreamedModel(bytes);
    try {
      this.workload?.close();
      this.workload = undefined;
      const started = performance.now();
      const choice = withOverrides(welcome.engine, this.options.engine);
      this.workload = (await this.preloaded(welcome, choice, file?.path)) ?? (await Workload.open(welcome, choice, file?.path));
      const loadSeconds = (performance.now() - started) / 1000;
      const { checksum, engine } = this.workload;
      this.event({ kind: 'loaded', epoch, loaded: { checksum, engine: engine.engine, gpuNames: this.workload.gpuNames(), loadSeconds, streamedBytes: bytes?.length ?? 0 } });
    } catch (error) {
      this.options.log.error({ err: error }, 'could not prepare the model');
      this.event({ kind: 'load-failed', epoch, message: (error as Error).message });
    } finally {
      file?.remove();
    }
  }

  /** The preloaded workload when it was opened from what the welcome names (else it is closed); once. */
  private async preloaded(welcome: Welcome, choice: EngineOptions, modelFile?: string): Promise<Workload | undefined> {
    const preloading = this.preloading;
    this.preloading = undefined;
    if (!preloading) return undefined;
    const { files } = preloading;
    const named = !modelFile && files.model === welcome.model.path && files.inputs === welcome.inputs.path && files.bias === welcome.model.bias;
    const workload = await preloading.workload;
    if (named && workload?.layers === welcome.model.layers && sameOptions(preloading.choice, choice)) return workload;
    workload?.close();
    return undefined;
  }

  private async runShard({ epoch, shard }: Extract<AgentAction, { kind: 'run' }>): Promise<void> {
    try {
      const outcome = await this.workload!.run(shard.begin, shard.end, shard.inputs, this.cancel.signal);
      this.event({ kind: 'shard-done', epoch, shard, outcome });
    } catch (error) {
      // The code tells the coordinator whether another try can help (E_FORMAT, E_ARGUMENT cannot).
      this.event({ kind: 'shard-failed', epoch, shard, message: (error as Error).message, code: isNativeError(error) ? error.code : undefined });
    }
  }

  /** Idempotent; every step runs even if one fails. */
  private async shutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sender.drained().catch(() => undefined);
    try {
      this.dealer.close();
    } catch (error) {
      this.options.log.warn({ err: error }, 'closing the socket failed');
    }
    await Promise.all([this.loading, this.running]); // a workload opened after the stop is closed here too
    this.workload?.close();
    this.workload = undefined;
    (await this.preloading?.workload)?.close(); // never welcomed
    this.preloading = undefined;
  }
}
