// The worker agent: a DEALER that says hello, prepares the model, pulls shards (a few in hand so the
// engine never waits on the network), returns results and heartbeats. Losing the coordinator, it
// says hello again with growing delays, then gives up and exits cleanly.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { Dealer } from 'zeromq';

import type { KeyPair } from '../common/config/keys.js';
import { isNativeError } from '../common/native.js';
import { decodeCoordinatorMessage, encode } from '../common/protocol/codec.js';
import { PROTOCOL_VERSION, type Assign, type CoordinatorMessage, type Welcome, type WorkerMessage } from '../common/protocol/messages.js';
import { SerialSender } from '../common/protocol/serial-sender.js';
import { retryDelay } from './backoff.js';
import { Workload, writeStreamedModel, type EngineChoiceOptions } from './workload.js';

export interface WorkerOptions extends EngineChoiceOptions {
  connect: string;
  name: string; // routing id: unique per worker
  prefetch: number;
  retries: number;
  retryDelayMs: number;
  maxMessageBytes: number;
  curve?: { pair: KeyPair; serverKey: string };
  log: Logger;
}

export type WorkerExit =
  | { code: 0; reason: string } // finished, or asked to stop
  | { code: 2; reason: string } // rejected by the coordinator
  | { code: 3; reason: string }; // the coordinator could not be reached

type Phase = 'joining' | 'preparing' | 'working' | 'stopped';

export class WorkerAgent {
  private readonly dealer: Dealer;
  private readonly sender: SerialSender;
  private phase: Phase = 'joining';
  private welcome?: Welcome;
  private workload?: Workload;
  private loadSeconds = 0;
  private chunks: Uint8Array[] = [];
  private queue: Assign[] = [];
  private running = false;
  private current?: number; // the shard the engine is on
  private epoch = 0; // bumped on every (re)registration; stale work is not reported
  private deadline = 0;
  private attempts = 0;
  private timer?: NodeJS.Timeout;
  private lastBeat = 0;
  private settle!: (exit: WorkerExit) => void;
  readonly exited: Promise<WorkerExit> = new Promise((resolve) => (this.settle = resolve));

  constructor(private readonly options: WorkerOptions) {
    const { curve } = options;
    this.dealer = new Dealer({
      routingId: options.name,
      maxMessageSize: options.maxMessageBytes,
      linger: 1000,
      sendTimeout: 2000, // a send that cannot be queued fails instead of blocking shutdown
      ...(curve ? { curveServerKey: curve.serverKey, curvePublicKey: curve.pair.public, curveSecretKey: curve.pair.secret } : {}),
    });
    this.sender = new SerialSender(this.dealer, (error) => options.log.warn({ err: error }, 'send failed'));
  }

  /** Connects and works until finished, rejected or the coordinator is gone for good. */
  async run(): Promise<WorkerExit> {
    this.dealer.connect(this.options.connect);
    this.options.log.info({ connect: this.options.connect, name: this.options.name }, 'worker connecting');
    this.hello();
    this.timer = setInterval(() => this.onClock(), Math.max(10, Math.min(250, this.options.retryDelayMs / 2)));
    void this.receive();
    const exit = await this.exited;
    await this.shutdown();
    return exit;
  }

  /** Leaves cleanly (SIGTERM, SIGINT): tells the coordinator so its shards go back at once. */
  stop(reason: string): void {
    if (this.phase === 'stopped') return;
    this.send({ type: 'bye', reason });
    this.exit({ code: 0, reason });
  }

  private send(message: WorkerMessage): void {
    void this.sender.send([encode(message)]);
  }

  private hello(): void {
    this.epoch++;
    this.queue = [];
    this.phase = this.phase === 'stopped' ? 'stopped' : 'joining';
    const { engine, gpus, threads } = this.options;
    this.send({ type: 'hello', protocol: PROTOCOL_VERSION, host: hostname(), pid: process.pid, engine, gpus: gpus ?? [], threads });
    this.deadline = Date.now() + (this.welcome?.timeoutMs ?? this.options.retryDelayMs) + retryDelay(this.attempts, this.options.retryDelayMs);
  }

  private onClock(): void {
    const now = Date.now();
    if (this.welcome && now - this.lastBeat >= this.welcome.heartbeatMs) {
      this.lastBeat = now;
      this.send({ type: 'heartbeat', held: this.held() });
    }
    if (now <= this.deadline) return;
    this.attempts++;
    if (this.attempts > this.options.retries) {
      this.exit({ code: 3, reason: `no word from the coordinator at ${this.options.connect} after ${this.options.retries} retries` });
      return;
    }
    this.options.log.warn({ attempt: this.attempts, of: this.options.retries }, 'coordinator silent; connecting again and saying hello');
    // A fresh connection: the old one may be dead without either end knowing (a half-open TCP
    // connection, or one the coordinator handed to another process under this name).
    this.dealer.disconnect(this.options.connect);
    this.dealer.connect(this.options.connect);
    this.hello();
  }

  private async receive(): Promise<void> {
    try {
      for await (const frames of this.dealer) {
        const payload = frames[0];
        const decoded = frames.length === 1 && payload ? decodeCoordinatorMessage(payload) : { ok: false as const, error: `${frames.length} frames` };
        if (!decoded.ok) {
          this.options.log.warn({ reason: decoded.error }, 'message dropped');
          continue;
        }
        this.attempts = 0;
        this.onMessage(decoded.message); // first: a welcome sets the timeout used below
        this.deadline = Date.now() + (this.welcome?.timeoutMs ?? this.options.retryDelayMs);
      }
    } catch (error) {
      if (this.phase !== 'stopped') this.exit({ code: 3, reason: `socket failed: ${(error as Error).message}` });
    }
  }

  private onMessage(message: CoordinatorMessage): void {
    const { log } = this.options;
    switch (message.type) {
      case 'heartbeat':
        return;
      case 'welcome':
        if (this.phase !== 'joining') return log.warn({ phase: this.phase }, 'unexpected welcome dropped');
        this.welcome = message;
        this.phase = 'preparing';
        void this.prepare(message, this.epoch);
        return;
      case 'chunk':
        return this.onChunk(message.index, message.data);
      case 'assign':
        if (this.phase !== 'working') return log.warn({ phase: this.phase, shard: message.shard }, 'unexpected assignment dropped');
        this.queue.push(message);
        void this.pump();
        return;
      case 'reset':
        log.warn('coordinator does not know this worker (restarted?); registering again');
        this.hello();
        return;
      case 'reject':
        this.exit({ code: 2, reason: `rejected by the coordinator: ${message.reason}` });
        return;
      case 'finish':
        this.exit({ code: 0, reason: 'run finished' });
        return;
    }
  }

  private async prepare(welcome: Welcome, epoch: number): Promise<void> {
    const { log } = this.options;
    try {
      if (this.workload?.checksum !== welcome.model.checksum) {
        this.workload?.close();
        this.workload = undefined;
        if (welcome.mode === 'streamed') {
          this.chunks = [];
          this.send({ type: 'chunk-request', index: 0 });
          return; // continues in onChunk
        }
        await this.load(welcome);
      }
      if (epoch === this.epoch) this.ready(0);
    } catch (error) {
      log.error({ err: error }, 'could not prepare the model');
      this.send({ type: 'bye', reason: `could not prepare: ${(error as Error).message}` });
      this.exit({ code: 2, reason: `could not prepare the model: ${(error as Error).message}` });
    }
  }

  private async load(welcome: Welcome, modelFile?: string): Promise<void> {
    const started = performance.now();
    this.workload = await Workload.open(welcome, this.options, modelFile);
    this.loadSeconds = (performance.now() - started) / 1000;
    if (this.workload.checksum !== welcome.model.checksum) {
      this.options.log.error({ ours: this.workload.checksum, theirs: welcome.model.checksum }, 'model checksum differs from the coordinator');
    }
  }

  private onChunk(index: number, data: Uint8Array): void {
    const welcome = this.welcome;
    if (this.phase !== 'preparing' || !welcome || welcome.mode !== 'streamed' || index !== this.chunks.length) {
      this.options.log.warn({ index }, 'unexpected model chunk dropped');
      return;
    }
    this.chunks.push(data);
    if (this.chunks.length < welcome.model.chunks) {
      this.send({ type: 'chunk-request', index: this.chunks.length });
      return;
    }
    const bytes = Buffer.concat(this.chunks);
    this.chunks = [];
    const epoch = this.epoch;
    if (bytes.length !== welcome.model.bytes) {
      this.exit({ code: 2, reason: `received ${bytes.length} model bytes, expected ${welcome.model.bytes}` });
      return;
    }
    const file = writeStreamedModel(bytes);
    this.load(welcome, file.path)
      .then(() => epoch === this.epoch && this.ready(bytes.length))
      .catch((error: Error) => this.exit({ code: 2, reason: `could not load the streamed model: ${error.message}` }))
      .finally(file.remove);
  }

  private ready(streamedBytes: number): void {
    const workload = this.workload!;
    this.phase = 'working';
    this.send({ type: 'ready', checksum: workload.checksum, engine: workload.kind, gpuNames: workload.gpuNames(this.options.gpus), loadSeconds: this.loadSeconds });
    this.options.log.info({ engine: workload.kind, loadSeconds: this.loadSeconds, streamedBytes }, 'worker ready');
    for (let i = 0; i < this.options.prefetch; i++) this.send({ type: 'request' });
  }

  private held(): number[] {
    const queued = this.queue.map((a) => a.shard);
    return this.current === undefined ? queued : [this.current, ...queued];
  }

  /** Runs held shards one at a time; each result asks for the next shard. */
  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let shard = this.queue.shift(); shard && this.phase !== 'stopped'; shard = this.queue.shift()) {
        const epoch = this.epoch;
        this.current = shard.shard;
        try {
          const result = await this.workload!.run(shard.begin, shard.end, shard.inputs);
          if (epoch !== this.epoch || this.phase !== 'working') continue;
          this.send({ type: 'result', shard: shard.shard, begin: shard.begin, end: shard.end, ...result });
        } catch (error) {
          this.options.log.error({ err: error, shard: shard.shard }, 'shard failed');
          const code = isNativeError(error) ? error.code : undefined; // E_FORMAT and E_ARGUMENT are not retried
          if (epoch === this.epoch) this.send({ type: 'failure', shard: shard.shard, message: (error as Error).message, code });
        } finally {
          this.current = undefined;
        }
        if (epoch === this.epoch && this.phase === 'working') this.send({ type: 'request' });
      }
    } finally {
      this.running = false;
    }
  }

  private exit(exit: WorkerExit): void {
    if (this.phase === 'stopped') return;
    this.phase = 'stopped';
    this.settle(exit);
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
    while (this.running) await new Promise((resolve) => setTimeout(resolve, 20));
    this.workload?.close();
    this.workload = undefined;
  }
}
