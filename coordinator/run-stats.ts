// What the report says about a run, accumulated from the scheduler's decisions as they happen.
import type { Phases } from '../common/timing.js';
import type { Decision } from './scheduler.js';

export interface WorkerStats {
  name: string;
  host: string;
  engine: string;
  gpus: string[];
  shards: number;
  rows: number;
  seconds: number; // compute time on this worker's shards
  callSeconds: number; // its engine calls: rows read, uploaded, computed
  startSeconds: number; // model load and engine start, before its first shard
  inputBytes: number; // input bytes it read (shared mode) or received (streamed mode)
  edges: number;
}

export interface Reassignment {
  shard: number;
  begin: number;
  end: number;
  from: string;
  reason: string;
}

export interface Failure {
  worker: string;
  shard?: number;
  message: string;
  /** A worker process that ended badly after the verdict: every result was in and verified, so the verdict stands. */
  afterVerdict?: true;
}

export class RunStats {
  /** The run's workers: peers that got ready (one that only said hello is not one). */
  readonly workers = new Map<string, WorkerStats>();
  private readonly peers = new Map<string, WorkerStats>(); // every peer that said hello
  readonly reassigned: Reassignment[] = [];
  readonly failures: Failure[] = [];
  readonly rejected: Failure[] = [];
  droppedMessages = 0;

  /** Identifies a worker in the report (set at hello and again when it is ready). */
  describe(id: string, info: Partial<Omit<WorkerStats, 'shards' | 'rows' | 'seconds' | 'callSeconds' | 'inputBytes' | 'edges'>>): void {
    const current = this.peers.get(id) ?? {
      name: id, host: '?', engine: '?', gpus: [], shards: 0, rows: 0, seconds: 0, callSeconds: 0, startSeconds: 0, inputBytes: 0, edges: 0,
    };
    Object.assign(current, info);
    this.peers.set(id, current);
  }

  private enlist(id: string): WorkerStats {
    const enlisted = this.workers.get(id); // a result per shard: thousands a second
    if (enlisted) return enlisted;
    this.describe(id, {});
    const w = this.peers.get(id)!;
    this.workers.set(id, w);
    return w;
  }

  /**
   * The shards' wall time split along the busiest worker (the most engine-call time): its compute,
   * the rest of its engine calls (reading rows, uploading them), and what is left, the wire and the
   * scheduling (messages, queueing, workers waiting for a shard).
   */
  shardPhases(shardsSeconds: number): Phases {
    const busiest = [...this.workers.values()].reduce<WorkerStats | undefined>((a, w) => (!a || w.callSeconds > a.callSeconds ? w : a), undefined);
    const compute = busiest?.seconds ?? 0;
    const calls = Math.max(compute, busiest?.callSeconds ?? 0);
    return { compute, 'reads and uploads': calls - compute, 'wire and scheduling': Math.max(0, shardsSeconds - calls) };
  }

  apply(decision: Decision): void {
    switch (decision.kind) {
      case 'worker-ready':
        this.enlist(decision.worker);
        return;
      case 'record': {
        const w = this.enlist(decision.worker);
        w.shards++;
        w.rows += decision.shard.end - decision.shard.begin;
        w.seconds += decision.result.seconds;
        w.callSeconds += decision.result.callSeconds ?? decision.result.seconds;
        w.inputBytes = Math.max(w.inputBytes, decision.result.inputBytes ?? 0); // a running total
        w.edges += decision.result.edges;
        return;
      }
      case 'requeue':
        this.reassigned.push({ shard: decision.shard.id, begin: decision.shard.begin, end: decision.shard.end, from: decision.worker, reason: decision.reason });
        return;
      case 'shard-failed':
        this.failures.push({ worker: decision.worker, shard: decision.shard.id, message: decision.code ? `${decision.code}: ${decision.message}` : decision.message });
        return;
      case 'retire':
        this.failures.push({ worker: decision.worker, message: decision.reason });
        return;
      case 'start-failed':
        this.failures.push({ worker: decision.worker, message: `could not start: ${decision.reason}` });
        return;
      case 'worker-lost':
        this.failures.push({ worker: decision.worker, message: `lost: ${decision.reason}` });
        return;
      case 'reject':
        this.rejected.push({ worker: decision.worker, message: decision.reason });
        return;
      case 'drop':
        this.droppedMessages++;
        return;
      default:
        return;
    }
  }
}
