// One simulated worker: a DEALER (zmtp-dealer.ts) speaking the real protocol (common/protocol). It "computes" a shard
// by waiting its compute time and answers from the truth file, so the coordinator sees exactly what a
// real worker of that speed would send. An idle peer says hello and never gets ready: like a real
// worker loading its model, it sends nothing more (common/protocol/heartbeat.ts).
import { decodeCoordinatorMessage, encode } from '../../../common/protocol/codec.js';
import { PROTOCOL_VERSION, type AssignedShard, type CoordinatorMessage, type FinishedShard, type WorkerMessage } from '../../../common/protocol/messages.js';
import { idleHeartbeatMs } from '../../../common/protocol/heartbeat.js';
import { ZmtpDealer } from './zmtp-dealer.js';

export interface SimWorkerOptions {
  endpoint: string;
  name: string;
  msPerRow: () => number; // compute time of one row, drawn per shard (0: answers at once)
  prefetch: number;
  idle: boolean; // hello only
  truth: readonly number[]; // ascending 1-based rows: the categories this worker reports
}

/** What one simulated worker saw, for the harness's report. */
export interface SimWorkerStats {
  name: string;
  shards: number;
  rows: number;
  readyAt?: number; // ms (performance.now() of this process, shifted to the harness's clock)
  firstShardAt?: number; // its first shard received
  lastResultAt?: number; // its last result sent
  finishedAt?: number;
  busyMs: number;
  latenciesMs: number[]; // request sent → shard received
}

/** Categories in (begin, end]: the truth rows of shard [begin, end). */
function categoriesOf(truth: readonly number[], begin: number, end: number): number[] {
  let lo = 0;
  let hi = truth.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (truth[mid]! <= begin) lo = mid + 1;
    else hi = mid;
  }
  const out: number[] = [];
  for (let i = lo; i < truth.length && truth[i]! <= end; i++) out.push(truth[i]!);
  return out;
}

export class SimWorker {
  private readonly dealer: ZmtpDealer;
  private readonly queue: AssignedShard[] = [];
  private readonly unreported: FinishedShard[] = []; // results not yet sent
  private readonly requested: number[] = []; // send times of requests not yet answered
  private current?: number;
  private joined = false; // welcomed since the last hello
  private done = false;
  private seen = 0; // the last mark received (protocol: `mark`)
  private beat?: { heartbeatMs: number; timeoutMs: number }; // from the welcome
  private lastBeat = 0;
  private helloAt = 0;
  private helloRetries = 0; // since the last welcome: each waits twice as long as the one before
  private settle!: () => void;
  private onWelcome!: () => void;
  private onFirstShard!: () => void;
  readonly finished: Promise<void> = new Promise((resolve) => (this.settle = resolve));
  readonly welcomed: Promise<void> = new Promise((resolve) => (this.onWelcome = resolve));
  readonly firstShard: Promise<void> = new Promise((resolve) => (this.onFirstShard = resolve));
  readonly stats: SimWorkerStats;

  constructor(private readonly options: SimWorkerOptions) {
    this.dealer = new ZmtpDealer(options.endpoint, options.name, (payload) => this.receive(payload));
    this.stats = { name: options.name, shards: 0, rows: 0, busyMs: 0, latenciesMs: [] };
  }

  start(): void {
    this.dealer.connect();
    this.hello();
  }

  /** Called by the fleet's clock: heartbeats as a real worker does (worker/core.ts) once ready, naming the shards held. */
  heartbeat(now: number): void {
    const beat = this.beat;
    if (!this.joined || this.done || !beat || this.stats.readyAt === undefined) return;
    const held = this.held();
    if (now - this.lastBeat < (held.length > 0 ? beat.heartbeatMs : idleHeartbeatMs(beat))) return;
    this.lastBeat = now;
    this.send({ type: 'heartbeat', held, seen: this.seen });
  }

  /**
   * Called by the fleet's slower clock: says hello again while not welcomed, after growing delays, as
   * a real worker does (worker/backoff.ts): its hello may have gone with a closed connection.
   */
  retryHello(now: number, firstMs: number): void {
    if (this.joined || this.done || now - this.helloAt < firstMs * 2 ** Math.min(3, this.helloRetries)) return;
    this.helloRetries++;
    this.hello();
  }

  stop(): void {
    if (this.done) return;
    this.done = true;
    this.stats.finishedAt ??= performance.now();
    this.dealer.close();
    this.settle();
  }

  private send(message: WorkerMessage): void {
    this.dealer.send(encode(message));
  }

  private hello(): void {
    this.joined = false;
    this.seen = 0;
    this.queue.length = 0;
    this.requested.length = 0;
    this.helloAt = performance.now();
    this.send({ type: 'hello', protocol: PROTOCOL_VERSION, host: 'sim', pid: process.pid });
  }

  private held(): number[] {
    const queued = this.queue.map((a) => a.shard);
    return this.current === undefined ? queued : [this.current, ...queued];
  }

  private request(count: number): void {
    this.noteRequest(count);
    this.send({ type: 'request', count });
  }

  /** For the assignment latency: when each shard asked for was asked for. */
  private noteRequest(count: number): void {
    const now = performance.now();
    for (let i = 0; i < count; i++) this.requested.push(now);
  }

  private receive(payload: Buffer): void {
    if (this.done) return;
    const decoded = decodeCoordinatorMessage(payload);
    if (!decoded.ok) throw new Error(`${this.options.name}: bad message from the coordinator: ${decoded.error}`);
    this.onMessage(decoded.message);
  }

  private onMessage(message: CoordinatorMessage): void {
    if (message.type === 'assign' || message.type === 'heartbeat') this.seen = Math.max(this.seen, message.mark);
    switch (message.type) {
      case 'welcome':
        if (this.joined) return; // the answer to a hello said again
        this.joined = true;
        this.helloRetries = 0;
        this.beat = message;
        this.lastBeat = performance.now(); // the peers' heartbeats spread as their welcomes do
        this.onWelcome();
        if (this.options.idle) return;
        if (message.mode !== 'shared') throw new Error('simulated workers run shared-mode runs only');
        this.send({ type: 'ready', checksum: message.model.checksum, engine: 'cuda', gpuNames: ['simulated'], loadSeconds: 0 });
        this.stats.readyAt = performance.now();
        this.request(this.options.prefetch);
        return;
      case 'assign': {
        const now = performance.now();
        if (this.stats.firstShardAt === undefined) {
          this.stats.firstShardAt = now;
          this.onFirstShard();
        }
        for (const _ of message.shards) {
          const asked = this.requested.shift();
          if (asked !== undefined) this.stats.latenciesMs.push(now - asked);
        }
        this.queue.push(...message.shards);
        if (this.current === undefined) this.next();
        return;
      }
      case 'reset':
        this.hello();
        return;
      case 'finish':
      case 'reject':
        this.stop();
        return;
      default:
        return;
    }
  }

  /**
   * Starts the next held shard. Shards of no compute time are answered at once, so shards assigned
   * together finish together: their results, and the request for as many more, go in one message.
   */
  private next(): void {
    const shard = this.queue.shift();
    if (!shard || this.done) return;
    this.current = shard.shard;
    const ms = (shard.end - shard.begin) * this.options.msPerRow();
    const started = performance.now();
    if (ms > 0) setTimeout(() => this.answer(shard, ms, started), ms);
    else this.answer(shard, ms, started); // no closure per shard: at compute time 0 this is most of the simulator's work
  }

  private answer(shard: AssignedShard, ms: number, started: number): void {
    if (this.done) return;
    const rows = shard.end - shard.begin;
    const now = performance.now();
    this.current = undefined;
    this.stats.busyMs += now - started;
    this.stats.shards++;
    this.stats.rows += rows;
    this.stats.lastResultAt = now;
    const categories = categoriesOf(this.options.truth, shard.begin, shard.end);
    this.unreported.push({ shard: shard.shard, begin: shard.begin, end: shard.end, categories, seconds: ms / 1000, edges: rows });
    this.next();
    if (this.current === undefined || ms > 0) this.report();
  }

  /** Sends the finished shards not yet reported, asking for as many more. */
  private report(): void {
    if (this.unreported.length === 0) return;
    const shards = this.unreported.splice(0);
    this.send({ type: 'result', shards, request: shards.length });
    this.noteRequest(shards.length);
  }
}
