// What the report says about a run, accumulated from the scheduler's decisions as they happen.
import type { Decision } from './scheduler.js';

export interface WorkerStats {
  name: string;
  host: string;
  engine: string;
  gpus: string[];
  shards: number;
  rows: number;
  seconds: number; // engine time on this worker's shards
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
}

export class RunStats {
  readonly workers = new Map<string, WorkerStats>();
  readonly reassigned: Reassignment[] = [];
  readonly failures: Failure[] = [];
  readonly rejected: Failure[] = [];
  droppedMessages = 0;

  /** Identifies a worker in the report (set at hello and again when it is ready). */
  describe(id: string, info: Partial<Omit<WorkerStats, 'shards' | 'rows' | 'seconds' | 'edges'>>): void {
    const current = this.workers.get(id) ?? { name: id, host: '?', engine: '?', gpus: [], shards: 0, rows: 0, seconds: 0, edges: 0 };
    this.workers.set(id, { ...current, ...info });
  }

  apply(decision: Decision): void {
    switch (decision.kind) {
      case 'record': {
        this.describe(decision.worker, {});
        const w = this.workers.get(decision.worker)!;
        w.shards++;
        w.rows += decision.shard.end - decision.shard.begin;
        w.seconds += decision.result.seconds;
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
