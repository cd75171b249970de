// The worker's protocol as a pure state machine: events in (messages, clock ticks, the outcome of a
// model load or a shard), actions out (messages to send, a model to load, a shard to run, the exit).
// The socket, the timer and the engine live in worker/agent.ts, which carries the actions out; so
// the whole protocol is tested without them (test/worker-core.test.ts).
//
// It says hello, prepares the model named in `welcome` (or received in chunks), pulls shards (a few
// in hand so the engine never waits on the network) and runs them one at a time, returns results
// and heartbeats while it works (common/protocol/heartbeat.ts: not while it loads its model, when the
// coordinator expects nothing of it). A silent coordinator (only slow, perhaps) is sent hello again
// with growing delays, then given up. A coordinator whose connection closed (its process ended: the
// kernel closes its sockets; its host vanished: TCP keepalive) and did not come back within its
// timeout is gone: the worker leaves at once, without waiting out its retries.
// Every (re)registration starts an epoch: work of an older epoch is not reported.
import { formatChecksum } from '../common/checksum.js';
import { EXIT } from '../common/exit-codes.js';
import type { AssignedShard, CoordinatorMessage, Welcome, WorkerMessage } from '../common/protocol/messages.js';
import { idleHeartbeatMs } from '../common/protocol/heartbeat.js';
import { PROTOCOL_VERSION } from '../common/protocol/messages.js';
import { retryDelay } from './backoff.js';
import { checkAgentTransition, type AgentPhase } from './states.js';

export interface CoreOptions {
  connect: string; // the coordinator's endpoint (for messages)
  host: string;
  pid: number;
  group?: number; // the run config's worker group (the coordinator's default when absent)
  prefetch: number; // shards held at once
  retries: number; // hellos to a silent coordinator before giving up
  retryDelayMs: number;
  random?: () => number; // jitter of the hello back-off (default Math.random)
}

/** What the agent reports once a model is loaded and its engine open. */
export interface Loaded {
  checksum: number;
  engine: 'cpu' | 'cuda';
  gpuNames: string[];
  loadSeconds: number;
  streamedBytes: number; // 0 when the model was read from a shared path
}

/** One shard's outcome, as the result message carries it. */
export interface ShardOutcome {
  categories: number[]; // 1-based, global rows
  seconds: number; // compute
  callSeconds: number; // the engine call: rows read, uploaded, computed
  inputBytes: number; // input bytes read (shared mode) or received (streamed mode) so far
  edges: number;
}

export interface WorkerExit {
  // ok: finished, or asked to stop; usage: rejected, or the model could not be prepared; unreachable:
  // the coordinator could not be reached; gone: its connection closed for good, or `snig run` ended.
  code: (typeof EXIT)['ok' | 'usage' | 'unreachable' | 'gone'];
  reason: string;
}

export type AgentEvent =
  | { kind: 'start'; at: number }
  | { kind: 'tick'; at: number }
  | { kind: 'message'; at: number; message: CoordinatorMessage }
  | { kind: 'loaded'; epoch: number; loaded: Loaded }
  | { kind: 'load-failed'; epoch: number; message: string }
  | { kind: 'shard-done'; epoch: number; shard: AssignedShard; outcome: ShardOutcome }
  | { kind: 'shard-failed'; epoch: number; shard: AssignedShard; message: string; code?: string }
  | { kind: 'stop'; reason: string }
  | { kind: 'coordinator-gone'; reason: string } // known to have ended (a local worker's `snig run`): nobody to tell
  | { kind: 'connection'; up: boolean; at: number } // the connection to the coordinator completed its handshake (up) or closed
  | { kind: 'socket-failed'; message: string };

export type AgentAction =
  | { kind: 'send'; message: WorkerMessage }
  | { kind: 'reconnect' } // a fresh connection: the old one may be dead without either end knowing
  | { kind: 'unload' } // drop the loaded model (another one is on its way)
  | { kind: 'load'; epoch: number; welcome: Welcome; bytes?: Uint8Array } // bytes: a streamed model
  | { kind: 'run'; epoch: number; shard: AssignedShard }
  | { kind: 'log'; level: 'info' | 'warn' | 'error'; message: string; fields?: Record<string, unknown> }
  | { kind: 'exit'; exit: WorkerExit };

/** The worker's protocol state machine: `handle` takes an event and returns the actions to carry out. */
export class WorkerCore {
  private phase: AgentPhase = 'joining';
  private welcome?: Welcome;
  private loaded?: Loaded;
  private chunks: Uint8Array[] = [];
  private queue: AssignedShard[] = [];
  private current?: number; // the shard the engine is on
  private epoch = 0;
  private deadline = 0;
  private attempts = 0;
  private lastBeat = 0;
  private seen = 0; // the last mark received from the coordinator (since the last hello)
  private loading = false; // a model load is under way (nothing is sent, and nothing expected)
  private connected = false; // a connection to the coordinator completed its handshake at least once
  private closedAt?: number; // when that connection closed, while no new one has come
  private out: AgentAction[] = [];

  constructor(private readonly options: CoreOptions) {}

  get stopped(): boolean {
    return this.phase === 'stopped';
  }

  handle(event: AgentEvent): AgentAction[] {
    this.out = [];
    if (this.phase !== 'stopped') this.dispatch(event);
    return this.out;
  }

  private dispatch(event: AgentEvent): void {
    switch (event.kind) {
      case 'start':
        return this.hello(event.at);
      case 'tick':
        return this.onTick(event.at);
      case 'message':
        this.attempts = 0;
        this.onMessage(event.message, event.at); // first: a welcome sets the timeout used below
        this.deadline = event.at + this.timeoutMs();
        return;
      case 'loaded':
        this.loading = false;
        return this.onLoaded(event.epoch, event.loaded);
      case 'load-failed':
        this.loading = false;
        this.send({ type: 'bye', reason: `could not prepare: ${event.message}` });
        return this.exit({ code: EXIT.usage, reason: `could not prepare the model: ${event.message}` });
      case 'shard-done':
      case 'shard-failed':
        return this.onShardEnd(event);
      case 'stop':
        this.send({ type: 'bye', reason: event.reason });
        return this.exit({ code: EXIT.ok, reason: event.reason });
      case 'coordinator-gone':
        return this.exit({ code: EXIT.gone, reason: event.reason });
      case 'connection':
        return this.onConnection(event.up, event.at);
      case 'socket-failed':
        return this.exit({ code: EXIT.unreachable, reason: `socket failed: ${event.message}` });
    }
  }

  private to(phase: AgentPhase, why: string): void {
    checkAgentTransition(this.phase, phase, why);
    this.phase = phase;
  }

  private send(message: WorkerMessage): void {
    this.out.push({ kind: 'send', message });
  }

  private log(level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void {
    this.out.push({ kind: 'log', level, message, fields });
  }

  private exit(exit: WorkerExit): void {
    this.to('stopped', exit.reason);
    this.out.push({ kind: 'exit', exit });
  }

  private hello(at: number): void {
    this.epoch++;
    this.queue = [];
    this.seen = 0;
    this.to('joining', 'hello');
    const { host, pid, group } = this.options;
    this.send({ type: 'hello', protocol: PROTOCOL_VERSION, host, pid, group });
    const backoff = retryDelay(this.attempts, this.options.retryDelayMs, undefined, this.options.random);
    this.deadline = at + this.timeoutMs() + backoff;
  }

  /** How long the coordinator may be silent, or its connection closed, before the worker acts. */
  private timeoutMs(): number {
    return this.welcome?.timeoutMs ?? this.options.retryDelayMs;
  }

  /**
   * A closed connection that once worked means the coordinator's process ended or its host vanished
   * (a coordinator that is only slow keeps its connection: its kernel holds it). ZeroMQ keeps trying
   * to connect again; one that succeeds within the timeout (a restarted coordinator) clears it.
   */
  private onConnection(up: boolean, at: number): void {
    if (up) {
      this.connected = true;
      this.closedAt = undefined;
    } else if (this.connected && this.closedAt === undefined) {
      this.closedAt = at;
      this.log('warn', 'connection to the coordinator closed; waiting for it to come back', { connect: this.options.connect, waitMs: this.timeoutMs() });
    }
  }

  private onTick(at: number): void {
    const { welcome } = this;
    if (this.closedAt !== undefined && at - this.closedAt >= this.timeoutMs()) {
      const { connect } = this.options;
      return this.exit({ code: EXIT.gone, reason: `the coordinator at ${connect} is gone: its connection closed ${at - this.closedAt} ms ago and did not come back` });
    }
    if (welcome && this.phase === 'working' && at - this.lastBeat >= (this.held().length > 0 ? welcome.heartbeatMs : idleHeartbeatMs(welcome))) {
      this.lastBeat = at;
      this.send({ type: 'heartbeat', held: this.held(), seen: this.seen });
    }
    // While it loads, the coordinator sends nothing: its silence counts from the load's end.
    if (this.loading) this.deadline = at + this.timeoutMs();
    if (at <= this.deadline) return;
    this.attempts++;
    if (this.attempts > this.options.retries) {
      return this.exit({ code: EXIT.unreachable, reason: `no word from the coordinator at ${this.options.connect} after ${this.options.retries} retries` });
    }
    this.log('warn', 'coordinator silent; connecting again and saying hello', { attempt: this.attempts, of: this.options.retries });
    this.out.push({ kind: 'reconnect' });
    this.hello(at);
  }

  private onMessage(message: CoordinatorMessage, at: number): void {
    if (message.type === 'assign' || message.type === 'heartbeat') this.seen = Math.max(this.seen, message.mark);
    switch (message.type) {
      case 'heartbeat':
        return;
      case 'welcome':
        if (this.phase !== 'joining') return this.log('warn', 'unexpected welcome dropped', { phase: this.phase });
        this.welcome = message;
        this.to('preparing', 'welcome');
        return this.prepare(message);
      case 'chunk':
        return this.onChunk(message.index, message.data);
      case 'assign':
        if (this.phase !== 'working') return this.log('warn', 'unexpected assignment dropped', { phase: this.phase, shards: message.shards.map((s) => s.shard) });
        this.queue.push(...message.shards);
        return this.pump();
      case 'reset':
        this.log('warn', 'coordinator does not know this worker (restarted?); registering again');
        return this.hello(at);
      case 'reject':
        return this.exit({ code: EXIT.usage, reason: `rejected by the coordinator: ${message.reason}` });
      case 'finish':
        return this.exit({ code: EXIT.ok, reason: 'run finished' });
    }
  }

  /** The model in hand serves again; else it is read from the shared path or asked for in chunks. */
  private prepare(welcome: Welcome): void {
    if (this.loaded?.checksum === welcome.model.checksum) return this.ready({ ...this.loaded, streamedBytes: 0 });
    if (welcome.mode === 'shared') return this.load(welcome);
    this.loaded = undefined;
    this.out.push({ kind: 'unload' });
    this.chunks = [];
    this.send({ type: 'chunk-request', index: 0 });
  }

  private onChunk(index: number, data: Uint8Array): void {
    const welcome = this.welcome;
    if (this.phase !== 'preparing' || welcome?.mode !== 'streamed' || index !== this.chunks.length) {
      return this.log('warn', 'unexpected model chunk dropped', { index });
    }
    this.chunks.push(data);
    if (this.chunks.length < welcome.model.chunks) return this.send({ type: 'chunk-request', index: this.chunks.length });
    const bytes = Buffer.concat(this.chunks);
    this.chunks = [];
    if (bytes.length !== welcome.model.bytes) {
      return this.exit({ code: EXIT.usage, reason: `received ${bytes.length} model bytes, expected ${welcome.model.bytes}` });
    }
    this.load(welcome, bytes);
  }

  private load(welcome: Welcome, bytes?: Uint8Array): void {
    this.loading = true;
    this.out.push({ kind: 'load', epoch: this.epoch, welcome, bytes });
  }

  private onLoaded(epoch: number, loaded: Loaded): void {
    this.loaded = loaded;
    if (epoch !== this.epoch || this.phase !== 'preparing') return; // registered again meanwhile
    if (loaded.checksum !== this.welcome?.model.checksum) {
      this.log('error', 'model checksum differs from the coordinator', { ours: formatChecksum(loaded.checksum), theirs: this.welcome && formatChecksum(this.welcome.model.checksum) });
    }
    this.ready(loaded);
  }

  private ready(loaded: Loaded): void {
    this.to('working', 'model ready');
    const { checksum, engine, gpuNames, loadSeconds, streamedBytes } = loaded;
    this.send({ type: 'ready', checksum, engine, gpuNames, loadSeconds });
    this.log('info', 'worker ready', { engine, loadSeconds, streamedBytes });
    this.send({ type: 'request', count: this.options.prefetch });
  }

  private held(): number[] {
    const queued = this.queue.map((a) => a.shard);
    return this.current === undefined ? queued : [this.current, ...queued];
  }

  /** Starts the next held shard when the engine is free. */
  private pump(): void {
    if (this.current !== undefined) return;
    const shard = this.queue.shift();
    if (!shard) return;
    this.current = shard.shard;
    this.out.push({ kind: 'run', epoch: this.epoch, shard });
  }

  /** A shard's result (or failure) goes back only within its epoch; each one asks for the next shard. */
  private onShardEnd(event: Extract<AgentEvent, { kind: 'shard-done' | 'shard-failed' }>): void {
    this.current = undefined;
    const { shard } = event;
    const current = event.epoch === this.epoch && this.phase === 'working';
    if (event.kind === 'shard-failed') {
      this.log('error', 'shard failed', { shard: shard.shard, message: event.message, code: event.code });
      if (current) {
        this.send({ type: 'failure', shard: shard.shard, message: event.message, code: event.code });
        this.send({ type: 'request' });
      }
    } else if (current) {
      this.send({ type: 'result', shards: [{ shard: shard.shard, begin: shard.begin, end: shard.end, ...event.outcome }], request: 1 });
    }
    this.pump();
  }
}
