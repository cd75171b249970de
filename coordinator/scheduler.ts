// The scheduling core, pure: events in (messages already schema-checked, clock ticks), decisions
// out. Sockets, timers, the journal and the report live at the edge (coordinator.ts, run.ts), so
// everything here is tested without them.
import { formatChecksum } from '../common/checksum.js';
import { formatRowRange } from '../common/row-range.js';
import { PROTOCOL_VERSION, type FinishedShard, type WorkerMessage } from '../common/protocol/messages.js';
import { derivedShardTimeoutMs, judgeFailure, mayTake, UNMEASURED_SHARD_TIMEOUT_MS } from './failure-policy.js';
import { resultRowsProblem } from './result-rows.js';
import type { Shard } from './shard-plan.js';
import { ShardQueue } from './shard-queue.js';
import { shardRows, type SizingPolicy } from './shard-size.js';
import { checkShardTransition, checkWorkerTransition, type ShardState, type WorkerState } from './states.js';

export type SchedulerEvent =
  | { kind: 'message'; worker: string; at: number; message: WorkerMessage }
  | { kind: 'disconnected'; worker: string; at: number } // its connection closed (socket.ts)
  | { kind: 'tick'; at: number };

export interface ShardResult {
  categories: number[];
  seconds: number;
  edges: number;
  callSeconds?: number;
  inputBytes?: number;
}

export type Decision =
  | { kind: 'welcome'; worker: string }
  | { kind: 'send-chunk'; worker: string; index: number }
  | { kind: 'worker-ready'; worker: string }
  | { kind: 'split'; shard: Shard; into: [Shard, Shard] } // a queued shard cut in two before it is assigned (journaled)
  | { kind: 'assign'; worker: string; shard: Shard }
  | { kind: 'record'; worker: string; shard: Shard; result: ShardResult }
  | { kind: 'requeue'; worker: string; shard: Shard; reason: string }
  | { kind: 'shard-failed'; worker: string; shard: Shard; message: string; code?: string }
  | { kind: 'worker-lost'; worker: string; reason: string }
  | { kind: 'reject'; worker: string; reason: string }
  | { kind: 'retire'; worker: string; reason: string }
  | { kind: 'start-failed'; worker: string; reason: string }
  | { kind: 'reset'; worker: string }
  | { kind: 'drop'; worker: string; reason: string }
  | { kind: 'finish'; worker: string }
  | { kind: 'complete' }
  | { kind: 'abort'; reason: string };

export interface SchedulerOptions {
  shards: readonly Shard[]; // disjoint; ids need not be dense (a resumed run's shards after splits)
  nextShardId?: number; // first id for shards cut by a split (default: one past the largest given)
  done?: ReadonlySet<number>; // shards finished before (a resumed run)
  // Shard sizing by time (shard-size.ts): a queued shard longer than its worker should get is split
  // at assignment. Unset: the plan's shards are handed out as they are.
  sizing?: SizingPolicy;
  checksum: number; // the model checksum every worker must report
  timeoutMs: number; // a ready worker silent this long is lost (one not ready sends nothing: its connection is watched)
  // A shard leased this long is taken back even from a worker that still heartbeats (a hung engine or
  // GPU); its late result, if any, is ignored. Unset: derived from the holder's measured rows/s
  // (failure-policy.ts), at least 3 × timeoutMs.
  shardTimeoutMs?: number;
  maxShardAttempts: number; // failures of one shard before the run aborts
  maxWorkerFailures: number; // failed shards of one worker before it is retired
  chunks: number; // streamed mode: model chunks a joining worker may ask for (0: shared mode)
  expectedWorkers?: number; // workers the run was planned for (≥ 1, default 1): their first shards are kept for them
  // No shard is handed out until every expected worker is ready, or this long after the first one
  // was (default 0: at once), so a run of a few large shards starts balanced instead of the first
  // worker ready taking the shards of workers still loading.
  startGraceMs?: number;
}

interface ShardEntry {
  shard: Shard;
  state: ShardState;
  holder?: string;
  leasedAt: number;
  leasedMark: number; // the event that leased it: its assignment carries this mark
  failures: number;
  // Workers it failed on: they do not get it back while others could take it. Made at the first
  // failure: an empty Set per shard was more than half of a queued shard's memory (279 against 128 bytes).
  failedBy?: Set<string>;
}

interface WorkerEntry {
  state: WorkerState;
  lastSeen: number;
  held: Set<number>;
  parked: number; // shards asked for and not yet given
  failures: number; // shards it failed
  rows: number; // rows of the shards it finished, and their engine seconds: its measured rate
  seconds: number;
  process: string; // host and pid from its hello: two processes cannot share a name
  counted: { live: boolean; ready: boolean; idle: boolean; rate: number }; // what the counters below include it in
}

export class Scheduler {
  private readonly shards = new Map<number, ShardEntry>(); // by id: every shard not split
  private nextId: number;
  private readonly queue: ShardQueue;
  // Shard ids in the order they were leased (a shard leased again goes to the end), so the oldest
  // leases come first and the clock stops at the first one too young to be past any timeout.
  private readonly leased = new Set<number>();
  private readonly workers = new Map<string, WorkerEntry>();
  // Ready workers with requests parked, holding nothing (served first) or something: dispatch looks
  // only at these, so an event costs the same with ten workers or ten thousand peers.
  private readonly starving = new Set<string>();
  private readonly waiting = new Set<string>();
  private readonly readyIds = new Set<string>(); // the only workers whose silence is judged (and who are heartbeated)
  private live = 0; // joining or ready
  private ready = 0;
  private idleReady = 0; // ready, holding nothing
  private rateSum = 0; // measured rows/s of the ready workers that have one
  private measured = 0; // ready workers with a measured rate
  private queuedRows = 0;
  private remaining: number;
  private now = 0; // time of the event being handled
  private events = 0; // events handled: the mark of the messages sent for the current one
  private finished = false;
  private firstReady?: number; // when the first worker became ready
  private started = false; // shards are being handed out
  private readonly expected: number; // options.expectedWorkers, at least 1
  private readonly derivedFloorMs: number; // a derived shard timeout is never shorter (3 × timeoutMs)
  private readonly leaseFloorMs: number; // no shard is taken back from a worker sooner than this

  constructor(private readonly options: SchedulerOptions) {
    this.expected = Math.max(1, options.expectedWorkers ?? 1);
    this.derivedFloorMs = 3 * options.timeoutMs;
    this.leaseFloorMs = options.shardTimeoutMs ?? Math.min(this.derivedFloorMs, UNMEASURED_SHARD_TIMEOUT_MS); // the least shardTimeoutMs gives
    for (const shard of options.shards) this.shards.set(shard.id, this.entry(shard, options.done?.has(shard.id) ? 'done' : 'queued'));
    this.nextId = options.nextShardId ?? Math.max(-1, ...options.shards.map((s) => s.id)) + 1;
    const queued = [...this.shards.values()].filter((s) => s.state === 'queued');
    this.queue = new ShardQueue(queued.map((s) => s.shard.id));
    this.remaining = queued.length;
    this.queuedRows = queued.reduce((n, s) => n + rowsOf(s.shard), 0);
  }

  private entry(shard: Shard, state: ShardState, from?: ShardEntry): ShardEntry {
    // Every field present from the start, and leasedAt a double (NaN: never leased) as the times it
    // will hold are: a field that starts as a small integer, or is added later, changes the shape of
    // each of the run's entries at its first lease, and V8 then keeps `assign` unoptimized (a
    // profile at 100000 shards: 11 % of the coordinator's event loop in it).
    return { shard, state, holder: undefined, leasedAt: Number.NaN, leasedMark: 0, failures: from?.failures ?? 0, failedBy: from?.failedBy && new Set(from.failedBy) };
  }

  get shardsTotal(): number {
    return this.shards.size;
  }

  get shardsDone(): number {
    return this.shards.size - this.remaining;
  }

  /** Every shard of the run (split ones replaced by their parts), in row order. */
  allShards(): Shard[] {
    return [...this.shards.values()].map((e) => e.shard).sort((a, b) => a.begin - b.begin);
  }

  get complete(): boolean {
    return this.remaining === 0;
  }

  /** Workers that may still compute (joining or ready). */
  liveWorkers(): string[] {
    return [...this.workers].filter(([, w]) => w.counted.live).map(([id]) => id);
  }

  /** Workers that are working: they heartbeat, and their silence loses them their shards. */
  readyWorkers(): ReadonlySet<string> {
    return this.readyIds;
  }

  /** The mark that messages sent for the event just handled carry (protocol: `mark`). */
  get mark(): number {
    return this.events;
  }

  get liveCount(): number {
    return this.live;
  }

  shardState(id: number): ShardState | undefined {
    return this.shards.get(id)?.state;
  }

  workerState(id: string): WorkerState | undefined {
    return this.workers.get(id)?.state;
  }

  /** Decisions for the edge to carry out, in order. */
  handle(event: SchedulerEvent): Decision[] {
    const out: Decision[] = [];
    this.now = event.at;
    this.events++;
    if (event.kind === 'tick') this.expire(event.at, out);
    else if (event.kind === 'disconnected') this.onDisconnected(event.worker, out);
    else this.onMessage(event.worker, event.at, event.message, out);
    this.dispatch(out); // any event may free a worker, a shard or a prefetch: parked requests are looked at again
    if (this.remaining === 0 && !this.finished) {
      this.finished = true;
      for (const [id, w] of this.workers) if (w.state === 'ready' || w.state === 'joining') out.push({ kind: 'finish', worker: id });
      out.push({ kind: 'complete' });
    }
    return out;
  }

  private onMessage(id: string, at: number, message: WorkerMessage, out: Decision[]): void {
    const worker = this.workers.get(id);
    if (message.type === 'hello') {
      if (message.protocol !== PROTOCOL_VERSION) {
        // Another snig version: say so, rather than leave it saying hello to a coordinator that ignores it.
        out.push({ kind: 'reject', worker: id, reason: `protocol ${message.protocol}: this coordinator speaks protocol ${PROTOCOL_VERSION} (run the same snig version on the coordinator and the workers)` });
        return;
      }
      // A worker that comes (back) once every shard is done has nothing to load for: it is told to
      // finish at once, before the coordinator closes, rather than left to retry a closed one.
      if (this.remaining === 0) return void out.push({ kind: 'finish', worker: id });
      return this.onHello(id, worker, at, `${message.host} pid ${message.pid}`, out);
    }
    if (!worker || worker.state === 'lost' || worker.state === 'gone') {
      // Unknown to this coordinator (never said hello, lapsed, or before a restart): it must start over.
      out.push({ kind: 'drop', worker: id, reason: `${message.type} from a worker that is not registered` });
      out.push({ kind: 'reset', worker: id });
      return;
    }
    if (worker.state === 'rejected' || worker.state === 'retired') {
      out.push({ kind: 'drop', worker: id, reason: `${message.type} from a ${worker.state} worker` });
      return;
    }
    worker.lastSeen = at;
    switch (message.type) {
      case 'heartbeat':
        return this.reconcile(id, worker, message.held, message.seen, out);
      case 'chunk-request':
        if (worker.state !== 'joining' || message.index >= this.options.chunks) {
          out.push({ kind: 'drop', worker: id, reason: `chunk ${message.index} not available to a ${worker.state} worker` });
        } else out.push({ kind: 'send-chunk', worker: id, index: message.index });
        return;
      case 'ready':
        if (worker.state !== 'joining') {
          out.push({ kind: 'drop', worker: id, reason: 'ready from a worker already ready' });
        } else if (message.checksum !== this.options.checksum) {
          checkWorkerTransition(id, worker.state, 'rejected', 'model checksum mismatch');
          worker.state = 'rejected';
          this.refresh(id, worker);
          out.push({
            kind: 'reject',
            worker: id,
            reason: `model checksum ${formatChecksum(message.checksum)} differs from the coordinator's ${formatChecksum(this.options.checksum)}`,
          });
        } else {
          checkWorkerTransition(id, worker.state, 'ready', 'model loaded, checksum matches');
          worker.state = 'ready';
          this.refresh(id, worker);
          this.firstReady ??= at;
          out.push({ kind: 'worker-ready', worker: id });
        }
        return;
      case 'request':
        return this.onRequest(id, worker, message.count ?? 1, out);
      case 'result':
        for (const finished of message.shards) this.onResult(id, worker, finished, out);
        // After the last result, every worker is told to finish (handle): no request to answer.
        if (message.request > 0 && this.remaining > 0) this.onRequest(id, worker, message.request, out);
        return;
      case 'failure':
        return this.onFailure(id, worker, message.shard, message.message, message.code, out);
      case 'bye':
        // Leaving before it was ready, a worker could not start (no model, no engine): say why.
        if (worker.state === 'joining') out.push({ kind: 'start-failed', worker: id, reason: message.reason });
        this.release(id, worker, 'gone', `worker left: ${message.reason}`, out);
        return;
    }
  }

  /** A closed connection: a worker that may still compute is lost at once, and its shards go back. */
  private onDisconnected(id: string, out: Decision[]): void {
    const worker = this.workers.get(id);
    if (worker?.state !== 'joining' && worker?.state !== 'ready') return;
    // Once the run is finished, workers are told to finish and leave without a word: not lost.
    if (this.finished) this.release(id, worker, 'gone', 'left after the run finished', out);
    else this.release(id, worker, 'lost', 'its connection closed', out);
  }

  private onHello(id: string, worker: WorkerEntry | undefined, at: number, process: string, out: Decision[]): void {
    if (worker?.state === 'rejected' || worker?.state === 'retired') {
      out.push({ kind: 'drop', worker: id, reason: `hello from a ${worker.state} worker` });
      return;
    }
    // A worker not ready yet is live while connected (its connection's close makes it lost).
    const live = worker && (worker.state === 'joining' || (worker.state === 'ready' && at - worker.lastSeen <= this.options.timeoutMs));
    if (live && worker.process !== process) {
      // Another process under a live worker's name: it is refused, and the live worker keeps its name.
      const wait = Math.ceil(this.options.timeoutMs / 1000);
      out.push({ kind: 'reject', worker: id, reason: `the name ${id} is taken by a live worker (${worker.process}): choose another --name, or wait up to ${wait} s for its connection to lapse` });
      return;
    }
    if (worker) worker.process = process;
    if (worker && worker.state !== 'joining') {
      // A worker starting over (it lost us, or restarted): what it held goes back to the queue.
      this.release(id, worker, 'joining', 'worker registered again', out);
      worker.lastSeen = at;
    } else if (!worker) {
      const entry: WorkerEntry = { state: 'joining', lastSeen: at, held: new Set(), parked: 0, failures: 0, rows: 0, seconds: 0, process, counted: { live: false, ready: false, idle: false, rate: 0 } };
      this.workers.set(id, entry);
      this.refresh(id, entry);
    } else worker.lastSeen = at;
    out.push({ kind: 'welcome', worker: id });
  }

  private onRequest(id: string, worker: WorkerEntry, count: number, out: Decision[]): void {
    if (worker.state !== 'ready') {
      out.push({ kind: 'drop', worker: id, reason: `shard request from a ${worker.state} worker` });
      return;
    }
    if (this.remaining === 0) {
      out.push({ kind: 'finish', worker: id });
      return;
    }
    worker.parked += count; // served by the dispatch that follows every event
    this.refresh(id, worker);
  }

  private onResult(id: string, worker: WorkerEntry, message: FinishedShard, out: Decision[]): void {
    const entry = this.shards.get(message.shard);
    if (!entry || entry.shard.begin !== message.begin || entry.shard.end !== message.end) {
      out.push({ kind: 'drop', worker: id, reason: `result for unknown shard ${message.shard} (rows ${formatRowRange(message)})` });
      return;
    }
    if (entry.state === 'done') {
      out.push({ kind: 'drop', worker: id, reason: `duplicate result for shard ${message.shard}` });
      return;
    }
    if (entry.holder !== id) {
      out.push({ kind: 'drop', worker: id, reason: `result for shard ${message.shard}, which is not assigned to this worker` });
      return;
    }
    const problem = resultRowsProblem(entry.shard, message.categories);
    if (problem !== undefined) {
      // A worker that computes a wrong answer failed the shard: it goes to another worker.
      this.onFailure(id, worker, entry.shard.id, `its result is invalid: ${problem}`, 'E_RESULT', out);
      return;
    }
    checkShardTransition(entry.shard.id, entry.state, 'done', 'result received');
    entry.state = 'done';
    entry.holder = undefined;
    this.leased.delete(entry.shard.id);
    worker.rows += rowsOf(entry.shard);
    worker.seconds += message.seconds;
    this.unhold(id, worker, entry.shard.id);
    this.remaining--;
    out.push({
      kind: 'record',
      worker: id,
      shard: entry.shard,
      result: { categories: message.categories, seconds: message.seconds, edges: message.edges, callSeconds: message.callSeconds, inputBytes: message.inputBytes },
    });
  }

  private onFailure(id: string, worker: WorkerEntry, shardId: number, message: string, code: string | undefined, out: Decision[]): void {
    const entry = this.shards.get(shardId);
    if (!entry || entry.holder !== id) {
      out.push({ kind: 'drop', worker: id, reason: `failure for shard ${shardId}, which is not assigned to this worker` });
      return;
    }
    entry.failures++;
    (entry.failedBy ??= new Set()).add(id);
    worker.failures++;
    this.unhold(id, worker, shardId);
    out.push({ kind: 'shard-failed', worker: id, shard: entry.shard, message, code });
    this.requeue(entry, id, `failed on the worker: ${code ? `${code}: ` : ''}${message}`, out);
    const verdict = judgeFailure({ code, message, shardFailures: entry.failures, workerFailures: worker.failures }, this.options);
    if (verdict.kind === 'abort') {
      out.push({ kind: 'abort', reason: `shard ${shardId} (rows ${formatRowRange(entry.shard)}) on ${id}: ${verdict.reason}` });
    } else if (verdict.kind === 'retire') {
      this.release(id, worker, 'retired', verdict.reason, out);
      out.push({ kind: 'retire', worker: id, reason: verdict.reason });
    }
  }

  /** A shard leased before the last mark the worker has seen, and not held by it, never reached it. */
  private reconcile(id: string, worker: WorkerEntry, heldList: readonly number[], seen: number, out: Decision[]): void {
    if (worker.held.size === 0) return;
    const held = new Set(heldList);
    for (const shardId of [...worker.held]) {
      const entry = this.shards.get(shardId)!;
      if (!held.has(shardId) && entry.leasedMark < seen) {
        worker.parked++; // its request is still owed a shard
        this.unhold(id, worker, shardId);
        this.requeue(entry, id, 'the worker never received it', out);
      }
    }
  }

  /**
   * Lapsed leases: a ready worker silent past the timeout is lost, and its shards go back to the
   * queue; so does a shard held past the shard timeout. A peer not ready yet sends nothing while it
   * loads (however long): it is lost when its connection closes instead.
   */
  private expire(at: number, out: Decision[]): void {
    // Oldest lease first: the walk ends at the first lease younger than any shard timeout, so a tick
    // costs the leases past that floor, not every lease (2000 at 1000 workers, each judged by its
    // holder's rate: 8 ms a tick, 30 ms the first time, when that code was not optimized yet).
    // Shards requeued here and leased again are appended, and younger than the floor: the walk ends there.
    for (const shardId of this.leased) {
      const entry = this.shards.get(shardId)!;
      if (at - entry.leasedAt <= this.leaseFloorMs) break;
      if (at - entry.leasedAt > this.shardTimeoutMs(entry.holder!)) {
        const holder = entry.holder!;
        const worker = this.workers.get(holder);
        if (worker) this.unhold(holder, worker, shardId);
        this.requeue(entry, holder, `held for ${at - entry.leasedAt} ms, past the shard timeout`, out);
      }
    }
    for (const id of [...this.readyIds]) {
      const worker = this.workers.get(id)!;
      if (at - worker.lastSeen > this.options.timeoutMs) this.release(id, worker, 'lost', `silent for ${at - worker.lastSeen} ms`, out);
    }
  }

  /** How long the holder may keep a shard: as configured, or from its measured rate. */
  private shardTimeoutMs(holder: string): number {
    if (this.options.shardTimeoutMs !== undefined) return this.options.shardTimeoutMs;
    const worker = this.workers.get(holder)!;
    const rowsHeld = [...worker.held].reduce((n, id) => n + rowsOf(this.shards.get(id)!.shard), 0);
    return derivedShardTimeoutMs(rowsHeld, rateOf(worker), this.derivedFloorMs) ?? UNMEASURED_SHARD_TIMEOUT_MS;
  }

  private release(id: string, worker: WorkerEntry, to: WorkerState, reason: string, out: Decision[]): void {
    checkWorkerTransition(id, worker.state, to, reason);
    worker.state = to;
    worker.parked = 0;
    const held = [...worker.held];
    worker.held.clear();
    this.refresh(id, worker);
    if (to === 'lost') out.push({ kind: 'worker-lost', worker: id, reason });
    for (const shardId of held) this.requeue(this.shards.get(shardId)!, id, reason, out);
  }

  private requeue(entry: ShardEntry, from: string, reason: string, out: Decision[]): void {
    checkShardTransition(entry.shard.id, entry.state, 'queued', reason);
    entry.state = 'queued';
    entry.holder = undefined;
    this.leased.delete(entry.shard.id);
    this.queue.insertAt(0, entry.shard.id); // reassigned work goes first: it is what the run waits on
    this.queuedRows += rowsOf(entry.shard);
    out.push({ kind: 'requeue', worker: from, shard: entry.shard, reason });
    this.dispatch(out);
  }

  /**
   * Hands queued shards to parked requests. Every worker's first shard comes before anyone's prefetch,
   * and a worker already holding a shard gets another only while the queue holds more shards than there
   * are ready workers waiting for their first; expected workers not ready yet count too, so the first
   * worker ready does not take their share (a peer that never gets ready takes none). A ready worker
   * holding nothing is always served.
   */
  private dispatch(out: Decision[]): void {
    if (!this.hasStarted()) return;
    for (const id of this.starving) {
      if (this.queue.length === 0) return;
      this.assign(id, this.workers.get(id)!, out);
    }
    for (const id of this.waiting) {
      const worker = this.workers.get(id)!;
      while (worker.parked > 0 && this.queue.length > this.hungry() && this.assign(id, worker, out));
      if (this.queue.length <= this.hungry()) return;
    }
  }

  /** Workers owed a first shard: ready ones holding nothing, and expected ones not ready yet. */
  private hungry(): number {
    return this.idleReady + Math.max(0, this.expected - this.ready);
  }

  /** True once every expected worker is ready or the start grace after the first one has passed. */
  private hasStarted(): boolean {
    if (!this.started && this.firstReady !== undefined) {
      this.started = this.ready >= this.expected || this.now - this.firstReady >= (this.options.startGraceMs ?? 0);
    }
    return this.started;
  }

  /** Leases the first queued shard this worker may take; false when there is none. */
  private assign(id: string, worker: WorkerEntry, out: Decision[]): boolean {
    // Only a shard that failed somewhere needs the list of live workers; the next one usually has not.
    const next = this.queue.peek();
    const at = next !== undefined && this.shards.get(next)!.failedBy === undefined ? 0 : this.queue.findIndex((shardId) => {
      const failedBy = this.shards.get(shardId)!.failedBy;
      return failedBy === undefined || mayTake(id, failedBy, this.liveWorkers());
    });
    if (at < 0) return false;
    let entry = this.shards.get(this.queue.removeAt(at))!;
    this.queuedRows -= rowsOf(entry.shard);
    const rows = this.options.sizing && shardRows(this.options.sizing, { unassignedRows: this.queuedRows + rowsOf(entry.shard), fleetRowsPerSecond: this.fleetRate(), workerRowsPerSecond: rateOf(worker) });
    if (rows !== undefined && rowsOf(entry.shard) - rows >= this.options.sizing!.minRows) entry = this.split(entry, rows, at, out);
    checkShardTransition(entry.shard.id, entry.state, 'leased', `assigned to ${id}`);
    entry.state = 'leased';
    entry.holder = id;
    entry.leasedAt = this.now;
    entry.leasedMark = this.events;
    this.leased.add(entry.shard.id);
    worker.held.add(entry.shard.id);
    worker.parked--;
    this.refresh(id, worker);
    out.push({ kind: 'assign', worker: id, shard: entry.shard });
    return true;
  }

  /**
   * Cuts a queued shard in two: the first `rows` rows (returned, to be leased) and the rest, which
   * takes the shard's place in the queue at `at`. Both are new shards; the cut one is gone.
   */
  private split(entry: ShardEntry, rows: number, at: number, out: Decision[]): ShardEntry {
    const { begin, end } = entry.shard;
    const head = this.entry({ id: this.nextId++, begin, end: begin + rows }, 'queued', entry);
    const tail = this.entry({ id: this.nextId++, begin: begin + rows, end }, 'queued', entry);
    checkShardTransition(entry.shard.id, entry.state, 'split', `cut at row ${begin + rows} for a shard of ${rows} rows`);
    this.shards.delete(entry.shard.id);
    this.shards.set(head.shard.id, head);
    this.shards.set(tail.shard.id, tail);
    this.queue.insertAt(at, tail.shard.id);
    this.queuedRows += rowsOf(tail.shard);
    this.remaining++;
    out.push({ kind: 'split', shard: entry.shard, into: [head.shard, tail.shard] });
    return head;
  }

  /** The ready workers' summed speed; those not measured yet count at the measured ones' mean. */
  private fleetRate(): number {
    return this.measured === 0 ? 0 : (this.rateSum * this.ready) / this.measured;
  }

  private unhold(id: string, worker: WorkerEntry, shardId: number): void {
    worker.held.delete(shardId);
    this.refresh(id, worker);
  }

  /**
   * Keeps the counters and the parked sets true to a worker whose state, holdings or requests changed.
   * Several times per result message: it updates the worker's counted state in place (no object per call).
   */
  private refresh(id: string, worker: WorkerEntry): void {
    const isReady = worker.state === 'ready';
    const live = isReady || worker.state === 'joining';
    const idle = isReady && worker.held.size === 0;
    const rate = isReady ? rateOf(worker) ?? 0 : 0;
    const counted = worker.counted;
    this.live += Number(live) - Number(counted.live);
    this.idleReady += Number(idle) - Number(counted.idle);
    this.rateSum += rate - counted.rate;
    this.measured += Number(rate > 0) - Number(counted.rate > 0);
    if (isReady !== counted.ready) {
      this.ready += isReady ? 1 : -1;
      if (isReady) this.readyIds.add(id);
      else this.readyIds.delete(id);
    }
    counted.live = live;
    counted.ready = isReady;
    counted.idle = idle;
    counted.rate = rate;
    // Taken out and put back (last) even when unchanged: dispatch serves the parked in that order.
    this.starving.delete(id);
    this.waiting.delete(id);
    if (isReady && worker.parked > 0) (idle ? this.starving : this.waiting).add(id);
  }
}

function rowsOf(shard: Shard): number {
  return shard.end - shard.begin;
}

/** A worker's measured rows/s over the shards it finished (undefined before its first). */
function rateOf(worker: WorkerEntry): number | undefined {
  return worker.seconds > 0 ? worker.rows / worker.seconds : undefined;
}
