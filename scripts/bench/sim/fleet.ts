// A fleet of simulated workers in one process, each on its own connection (zmtp-dealer.ts), with one
// heartbeat clock. The harness runs each fleet as a child process (fleet-child.ts).
import { readFileSync } from 'node:fs';

import { random } from '../../small-network.js';
import { SimWorker, type SimWorkerStats } from './worker.js';

export interface FleetOptions {
  endpoint: string;
  first: number; // index of the first worker (names are sim-<index>)
  count: number; // workers that compute
  idle: number; // idle peers (hello only)
  msPerRow: number;
  jitter: number; // each shard's time is drawn uniformly in msPerRow × [1 - jitter, 1 + jitter]
  stragglers: number; // fraction of the workers that are slower
  slowdown: number; // how much slower a straggler is
  prefetch: number;
  heartbeatMs: number;
  truth: string; // categories file the workers answer from
  seed: number;
}

const HELLO_RETRY_MS = 60_000; // a peer not welcomed this long after its hello says it again (then after 2, 4, 8 min): 10000 hellos take a minute on a loaded VM

/** True for the workers, spread evenly over the indices, that make up `fraction` of them. */
export function isStraggler(index: number, fraction: number): boolean {
  return Math.floor((index + 1) * fraction) > Math.floor(index * fraction);
}

function readTruth(path: string): number[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map(Number)
    .sort((a, b) => a - b);
}

/** The fleet's workers' stats (epoch milliseconds), and this process's CPU seconds (user + system) from its first shard received to the end. */
export interface FleetStats {
  workers: SimWorkerStats[];
  cpuSeconds: number;
}

/**
 * Runs the fleet until every computing worker is told to finish (a fleet of idle peers only: until
 * `stop` resolves); `onWelcomed` fires once every peer was welcomed.
 */
export async function runFleet(options: FleetOptions, onWelcomed: () => void, stop: Promise<void>): Promise<FleetStats> {
  const truth = readTruth(options.truth);
  const draw = random(options.seed + options.first);
  const workers: SimWorker[] = [];
  for (let i = 0; i < options.count + options.idle; i++) {
    const index = options.first + i;
    const idle = i >= options.count;
    const slow = !idle && isStraggler(index, options.stragglers) ? options.slowdown : 1;
    const msPerRow = (): number => options.msPerRow * slow * (1 + options.jitter * (2 * draw() - 1));
    workers.push(new SimWorker({ endpoint: options.endpoint, name: `${idle ? 'idle' : 'sim'}-${index}`, msPerRow, prefetch: options.prefetch, idle, truth }));
  }
  for (const w of workers) w.start();
  void Promise.all(workers.map((w) => w.welcomed)).then(onWelcomed);
  const computing = workers.slice(0, options.count);
  let cpuAtFirstShard: NodeJS.CpuUsage | undefined;
  void Promise.race(computing.map((w) => w.firstShard)).then(() => (cpuAtFirstShard = process.cpuUsage()));
  const clock = setInterval(() => {
    const now = performance.now();
    for (const w of computing) w.heartbeat(now); // idle peers never heartbeat
  }, Math.max(10, options.heartbeatMs / 4));
  const helloRetry = setInterval(() => {
    const now = performance.now();
    for (const w of workers) w.retryHello(now, HELLO_RETRY_MS);
  }, HELLO_RETRY_MS / 2);
  await (computing.length > 0 ? Promise.race([Promise.all(computing.map((w) => w.finished)), stop]) : stop);
  clearInterval(clock);
  clearInterval(helloRetry);
  for (const w of workers) w.stop();
  const cpu = cpuAtFirstShard ? process.cpuUsage(cpuAtFirstShard) : { user: 0, system: 0 };
  const shift = (t: number | undefined): number | undefined => (t === undefined ? undefined : performance.timeOrigin + t);
  const stats = computing.map(({ stats }) => ({
    ...stats, readyAt: shift(stats.readyAt), firstShardAt: shift(stats.firstShardAt), lastResultAt: shift(stats.lastResultAt), finishedAt: shift(stats.finishedAt),
  }));
  return { workers: stats, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

/** IPC from a fleet child to the harness. */
export type FleetReport = { kind: 'welcomed' } | { kind: 'stats'; stats: FleetStats };
