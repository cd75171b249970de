// The live coordinator: the scheduling core wired to the socket, the clock, the journal and the
// run statistics. It carries out the core's decisions and resolves when the run completes or aborts.
import type { Logger } from 'pino';

import type { EngineOptions } from '../common/engine-options.js';
import type { NativeInputs } from '../common/native.js';
import { idleHeartbeatMs } from '../common/protocol/heartbeat.js';
import type { AssignedShard, Hello, Welcome, WorkerMessage } from '../common/protocol/messages.js';
import type { Journal } from './journal.js';
import type { RunStats } from './run-stats.js';
import { Scheduler, type Decision, type ShardResult } from './scheduler.js';
import type { Shard } from './shard-plan.js';
import type { CoordinatorSocket } from './socket.js';

export interface CoordinatorOptions {
  scheduler: Scheduler;
  journal: Journal;
  stats: RunStats;
  log: Logger;
  welcome: Omit<Welcome, 'type' | 'name' | 'engine'>;
  /** The engine options of the worker group a hello names (absent or unknown: the default group). */
  groupEngine: (group: number | undefined) => EngineOptions;
  modelBytes?: Buffer; // streamed mode: the binary model
  chunkBytes: number;
  idleTimeoutMs: number; // no live worker for this long: abort
  inputs?: NativeInputs; // streamed mode: rows are sent with each shard
  socket: CoordinatorSocket; // bound, not yet listening
  onResult?: (shard: Shard, worker: string, result: ShardResult) => void;
  /** Called as a shard is assigned, before the worker is sent it (tests use it). */
  onAssign?: (shard: Shard, worker: string) => void;
}

type RecordDecision = Extract<Decision, { kind: 'record' }>;

const PROGRESS_MS = 1000; // between two progress lines at info

// seconds: from the first assignment to the last result; cpuSeconds: this process's CPU over them
// (all its threads, user + system: the event loop, ZeroMQ's I/O thread, the journal's fsyncs).
export type Outcome = { kind: 'complete'; seconds: number; cpuSeconds: number } | { kind: 'abort'; reason: string; seconds: number; cpuSeconds: number };

export class Coordinator {
  private readonly engines = new Map<string, EngineOptions>(); // per worker, from its hello
  private timer?: NodeJS.Timeout;
  private firstAssign?: number;
  private firstAssignCpu?: NodeJS.CpuUsage;
  private durableDone: number; // shards finished and on disk (resumed ones included)
  private unlogged = 0; // shards made durable since the last progress line
  private loggedAt = -Infinity; // performance.now() of the last progress line
  private settle!: (outcome: Outcome) => void;
  private ended = false;
  readonly outcome: Promise<Outcome> = new Promise((resolve) => (this.settle = resolve));

  constructor(private readonly options: CoordinatorOptions) {
    this.durableDone = options.scheduler.shardsDone;
  }

  private get socket(): CoordinatorSocket {
    return this.options.socket;
  }

  /** Starts receiving (first the hellos that arrived before, in the lobby), and the heartbeat and lease clock. */
  start(waiting: ReadonlyArray<[worker: string, hello: Hello]> = []): void {
    this.socket.listen({
      onMessage: (worker, message) => this.onMessage(worker, message),
      onDropped: (worker, reason) => this.apply([{ kind: 'drop', worker, reason }]),
      onDisconnected: (worker) => this.event({ kind: 'disconnected', worker, at: Date.now() }),
    });
    for (const [worker, hello] of waiting) this.onMessage(worker, hello);
    const period = Math.max(10, Math.floor(this.options.welcome.heartbeatMs / 2));
    // Only working peers are heartbeated (a peer still loading expects nothing: its connection is
    // watched instead); one that was sent anything more recently (an assignment) needs no heartbeat.
    const heartbeatEvery = idleHeartbeatMs(this.options.welcome);
    let lastLive = Date.now();
    this.timer = setInterval(() => {
      const now = Date.now();
      this.event({ kind: 'tick', at: now });
      if (this.liveWorkers() > 0) lastLive = now;
      else if (now - lastLive > this.options.idleTimeoutMs) this.abort(`no worker connected for ${Math.round((now - lastLive) / 1000)} s`);
      for (const id of this.options.scheduler.readyWorkers()) {
        if (this.socket.quietFor(id, now) >= heartbeatEvery) void this.socket.send(id, { type: 'heartbeat', mark: this.options.scheduler.mark });
      }
    }, period);
    if (this.options.scheduler.complete) this.event({ kind: 'tick', at: Date.now() });
  }

  /** A worker process the launcher saw exit: its shards go back without waiting for the timeout. */
  workerExited(worker: string, how: string): void {
    if (!this.options.scheduler.liveWorkers().includes(worker)) return; // it said goodbye itself, or never hello
    this.event({ kind: 'message', worker, at: Date.now(), message: { type: 'bye', reason: `process exited (${how})` } });
  }

  liveWorkers(): number {
    return this.options.scheduler.liveCount;
  }

  /** Ends the run unfinished; workers still connected are told to finish instead of waiting out their retries. */
  abort(reason: string): void {
    if (this.ended) return;
    for (const id of this.options.scheduler.liveWorkers()) void this.socket.send(id, { type: 'finish' });
    this.end({ kind: 'abort', reason, ...this.elapsed() });
  }

  private end(outcome: Outcome): void {
    this.ended = true;
    this.settle(outcome);
  }

  private elapsed(): { seconds: number; cpuSeconds: number } {
    if (this.firstAssign === undefined) return { seconds: 0, cpuSeconds: 0 };
    const { user, system } = process.cpuUsage(this.firstAssignCpu);
    return { seconds: (performance.now() - this.firstAssign) / 1000, cpuSeconds: (user + system) / 1e6 };
  }

  private onMessage(worker: string, message: WorkerMessage): void {
    if (message.type === 'hello') {
      const engine = this.options.groupEngine(message.group);
      this.engines.set(worker, engine);
      this.options.stats.describe(worker, { host: message.host, engine: engine.engine });
    }
    if (message.type === 'ready') this.options.stats.describe(worker, { engine: message.engine, gpus: message.gpuNames, startSeconds: message.loadSeconds });
    this.event({ kind: 'message', worker, at: Date.now(), message });
  }

  private event(event: Parameters<Scheduler['handle']>[0]): void {
    this.apply(this.options.scheduler.handle(event));
  }

  private apply(decisions: Decision[]): void {
    try {
      this.carryOut(decisions);
    } catch (error) {
      this.fail(error as Error);
    }
  }

  private fail(error: Error): void {
    // Nothing a peer sends gets here; this is the run's own failure (a journal write, an oversized shard).
    this.options.log.error({ err: error }, 'coordinator failed');
    this.abort(error.message);
  }

  /** Finished shards on disk: now they count (report, results, progress). */
  private acknowledge(records: readonly RecordDecision[]): void {
    const { log, stats, onResult } = this.options;
    const perShard = log.isLevelEnabled('debug');
    for (const d of records) {
      stats.apply(d);
      onResult?.(d.shard, d.worker, d.result);
      if (perShard) log.debug({ worker: d.worker, shard: d.shard.id, seconds: d.result.seconds }, 'shard done');
    }
    this.durableDone += records.length;
    this.unlogged += records.length;
    const now = performance.now();
    const { shardsTotal } = this.options.scheduler;
    if (now - this.loggedAt >= PROGRESS_MS || this.durableDone === shardsTotal) {
      // At most one line a second (and the last): at thousands of shards a second, a line per shard
      // was most of the coordinator's work. shardsDone/shardsTotal: `snig suite` follows runs by them.
      log.info({ shards: this.unlogged, shardsDone: this.durableDone, shardsTotal }, 'shards done');
      this.unlogged = 0;
      this.loggedAt = now;
    }
  }

  /** Runs `then` once the journal holds everything decided so far; a failed sync aborts the run. */
  private afterJournal(then: () => void): (error?: Error) => void {
    return (error) => (error ? this.fail(error) : then());
  }

  /** One message (and one journal line) per worker for the shards it was given together (one per message when they carry rows). */
  private sendAssignments(batches: ReadonlyMap<string, AssignedShard[]>): void {
    const { mark } = this.options.scheduler; // of the event that leased them
    for (const [worker, shards] of batches) {
      this.options.journal.recordAssign(worker, shards.map((s) => s.shard));
      if (shards[0]?.inputs) for (const shard of shards) void this.socket.send(worker, { type: 'assign', mark, shards: [shard] });
      else void this.socket.send(worker, { type: 'assign', mark, shards });
    }
  }

  private carryOut(decisions: Decision[]): void {
    const batches = new Map<string, AssignedShard[]>();
    const records: RecordDecision[] = [];
    try {
      for (const d of decisions) this.carryOutOne(d, batches, records);
      // The results of one message count together, once the commit holding them is on disk.
      if (records.length > 0) this.options.journal.afterDurable(this.afterJournal(() => this.acknowledge(records)));
    } finally {
      this.sendAssignments(batches);
    }
  }

  private carryOutOne(d: Decision, batches: Map<string, AssignedShard[]>, records: RecordDecision[]): void {
    const { log, journal, stats } = this.options;
    if (d.kind !== 'record') stats.apply(d); // a result counts once it is durable
    switch (d.kind) {
      case 'welcome':
        log.info({ worker: d.worker }, 'worker joined');
        void this.socket.send(d.worker, { type: 'welcome', name: d.worker, ...this.options.welcome, engine: this.engines.get(d.worker) ?? this.options.groupEngine(undefined) });
        break;
      case 'send-chunk': {
        const start = d.index * this.options.chunkBytes;
        const data = this.options.modelBytes!.subarray(start, start + this.options.chunkBytes);
        void this.socket.send(d.worker, { type: 'chunk', index: d.index, data });
        break;
      }
      case 'worker-ready':
        log.info({ worker: d.worker }, 'worker ready');
        break;
      case 'split':
        journal.recordSplit(d.shard, d.into);
        break;
      case 'assign': {
        if (this.firstAssign === undefined) {
          this.firstAssign = performance.now();
          this.firstAssignCpu = process.cpuUsage();
        }
        const { id: shard, begin, end } = d.shard;
        const inputs = this.options.inputs?.toArrays(begin, end);
        const batch = batches.get(d.worker) ?? [];
        batch.push(inputs ? { shard, begin, end, inputs } : { shard, begin, end }); // no `inputs: undefined` on the wire (shared mode)
        batches.set(d.worker, batch);
        this.options.onAssign?.(d.shard, d.worker);
        break;
      }
      case 'record':
        journal.recordDone(d.shard, d.worker, d.result);
        records.push(d);
        break;
      case 'requeue':
        journal.append({ type: 'requeue', shard: d.shard.id, worker: d.worker, reason: d.reason });
        log.warn({ worker: d.worker, shard: d.shard.id, reason: d.reason }, 'shard back in the queue');
        break;
      case 'shard-failed':
        log.warn({ worker: d.worker, shard: d.shard.id, code: d.code, message: d.message }, 'shard failed on a worker');
        break;
      case 'start-failed':
        log.error({ worker: d.worker, reason: d.reason }, 'worker could not start');
        break;
      case 'retire':
        log.warn({ worker: d.worker, reason: d.reason }, 'worker retired');
        void this.socket.send(d.worker, { type: 'reject', reason: d.reason });
        break;
      case 'worker-lost':
        log.warn({ worker: d.worker, reason: d.reason }, 'worker lost');
        break;
      case 'reject':
        log.warn({ worker: d.worker, reason: d.reason }, 'worker rejected');
        void this.socket.send(d.worker, { type: 'reject', reason: d.reason });
        break;
      case 'reset':
        void this.socket.send(d.worker, { type: 'reset' });
        break;
      case 'drop':
        log.warn({ worker: d.worker, reason: d.reason }, 'message dropped');
        break;
      case 'finish':
        // Not before the results are on disk: a worker that leaves could end the run as abandoned.
        journal.afterDurable(this.afterJournal(() => void this.socket.send(d.worker, { type: 'finish' })));
        break;
      case 'complete': {
        const elapsed = this.elapsed(); // the last result's arrival; its fsync is the coordinator's cost
        journal.afterDurable(this.afterJournal(() => this.end({ kind: 'complete', ...elapsed })));
        break;
      }
      case 'abort':
        this.abort(d.reason);
        break;
    }
  }

  /** Idempotent: stops the clock, then closes the socket after queued sends and the journal's last sync. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([this.socket.close(), this.options.journal.settled()]);
  }
}
