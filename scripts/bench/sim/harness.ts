// The simulation harness: the real coordinator (`snig run`, workers `launch: manual`) in its own
// process, against fleets of simulated workers (and idle peers) in one or several processes, or
// against real `snig worker` processes with idle peers around them. It reports what the coordinator
// did (report.json), its CPU and memory (/proc), and what the workers saw.
import { spawn, fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { writeFileAtomic } from '../../../common/atomic-file.js';
import { readJournal } from '../../../coordinator/journal.js';
import type { RunReport } from '../../../coordinator/report.js';
import { officialSample, repoRoot } from '../data.js';
import { repeatedSample, syntheticDataset } from './dataset.js';
import { isStraggler, type FleetOptions, type FleetReport, type FleetStats } from './fleet.js';
import { Probe } from './probe.js';
import type { SimWorkerStats } from './worker.js';

const MAIN = join(repoRoot, 'cli', 'main.ts');
const FLEET = join(repoRoot, 'scripts', 'bench', 'sim', 'fleet-child.ts');

export interface SimulationOptions {
  out: string; // a fresh directory for the run
  workers: number; // simulated workers that compute
  real: number; // real `snig worker` processes (CPU engine, one thread each) instead of simulated ones
  idle: number; // peers that say hello and heartbeat, never ready
  rows: number; // rows of the synthetic data set; 0: the official 1200-image sample, `repeat` times over
  repeat: number;
  shardRows: number; // largest shard (rows)
  minShardRows: number;
  targetSeconds?: number; // shard sizing by time (shards.targetSeconds, shards.minSeconds; unset: the config's defaults)
  minSeconds?: number;
  msPerRow: number;
  jitter: number;
  stragglers: number;
  slowdown: number;
  prefetch: number;
  processes: number; // fleet processes (the simulated workers and idle peers are split over them)
  fleetNice: number; // the fleet processes' nice value (19: they yield the CPU to the coordinator and the real workers)
  heartbeatMs: number;
  logLevel: string; // the coordinator's
  layers: number; // of the official 1024-neuron network the coordinator loads
  seed: number;
  resume?: boolean; // continue the run journaled in `out` (snig run --resume)
}

export interface SimulationResult {
  status: string;
  exitCode: number | null;
  shards: number;
  rows: number;
  reportedWorkers: number;
  workerRows: number; // rows the simulated workers computed (each once, in a run without failures)
  wallSeconds: number; // the coordinator's: first assignment to last result
  resultsPerSecond: number;
  steadyResultsPerSecond: number; // between the 10th and 90th percentile of the results (journal times)
  firstTenthSeconds: number; // from the first assignment to the 10th percentile of the results
  // CPU seconds per second over that first tenth (/proc samples): whether the start is short of CPU or of work.
  firstTenthCpu: { coordinator: number; fleet: number };
  edgesPerSecond: number;
  idealSeconds: number; // the work over the workers' summed speed (simulated workers)
  coordinatorCpu: number; // CPU seconds per second during the run
  coordinatorCpuPerResultUs: number; // its CPU time over the wall (report.json) per shard result (less sensitive to other load than the wall)
  coordinatorPeakRssMb: number;
  fleetCpu: number; // the fleet processes' CPU seconds per second during the run (all of them)
  fleetCpuPerResultUs: number; // their CPU time, from each one's first shard to its end, per shard result
  realWorkersCpu: number; // the real workers' (all of them)
  latencyMs: { p50: number; p99: number; max: number }; // request sent → shard received
  idleFraction: { mean: number; max: number }; // of the makespan, per simulated worker
  // Of that idle time, the part before a worker's first shard (after the first worker's) and after its
  // last result (before the last worker's), mean over the workers, as a fraction of the makespan.
  startIdle: number;
  endIdle: number;
}

/** V8 profiles of the coordinator and the fleet processes (`SIM_PROFILE=1`), written into the run's directory. */
function profileArgs(out: string): string[] {
  return process.env.SIM_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${out}`] : [];
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

/**
 * From the journal's times (epoch milliseconds): the results/s between the 10th and the 90th
 * percentile of the results (the run without its start and end), and the first tenth: from the first
 * assignment to the 10th percentile (the start: a cold coordinator and simulator, the first burst).
 */
function journalRates(runOut: string): { steadyResultsPerSecond: number; firstTenth: { from: number; to: number } } {
  const { entries } = readJournal(join(runOut, 'journal.jsonl'));
  const at = (e: object): number => Date.parse(String((e as { at?: unknown }).at));
  const firstAssign = entries.find((e) => e.type === 'assign');
  const done = entries.filter((e) => e.type === 'done').map(at).sort((a, b) => a - b);
  const tenth = quantile(done, 0.1);
  return {
    steadyResultsPerSecond: (0.8 * done.length) / ((quantile(done, 0.9) - tenth) / 1000),
    firstTenth: { from: firstAssign ? at(firstAssign) : Number.NaN, to: tenth },
  };
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** The exit code; at once for a child that has already exited (a real worker told to finish does so before the coordinator). */
function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((done) => child.once('exit', (code) => done(code)));
}

/** Forks the fleets; resolves each once all its peers were welcomed, and its stats at the end. */
function startFleets(options: SimulationOptions, endpoint: string, truth: string): { welcomed: Promise<void>; stats: Promise<FleetStats>; stop: () => void; pids: number[] } {
  const processes = Math.max(1, options.processes);
  const children: ChildProcess[] = [];
  const welcomed: Promise<void>[] = [];
  const stats: Promise<FleetStats>[] = [];
  const share = (total: number, i: number): number => Math.floor((total * (i + 1)) / processes) - Math.floor((total * i) / processes);
  let first = 0;
  for (let i = 0; i < processes; i++) {
    const fleet: FleetOptions = {
      endpoint, first, count: share(options.workers, i), idle: share(options.idle, i),
      msPerRow: options.msPerRow, jitter: options.jitter, stragglers: options.stragglers, slowdown: options.slowdown,
      prefetch: options.prefetch, heartbeatMs: options.heartbeatMs, truth, seed: options.seed,
    };
    first += fleet.count + fleet.idle;
    const child = fork(FLEET, [JSON.stringify(fleet)], { execArgv: [...profileArgs(options.out), '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.push(child);
    if (options.fleetNice !== 0) setPriority(child.pid!, options.fleetNice);
    welcomed.push(new Promise((done) => child.on('message', (m: FleetReport) => m.kind === 'welcomed' && done())));
    stats.push(new Promise((done, fail) => {
      child.on('message', (m: FleetReport) => m.kind === 'stats' && done(m.stats));
      child.once('exit', (code) => fail(new Error(`a fleet process exited (${code}) before its report`)));
    }));
  }
  return {
    welcomed: Promise.all(welcomed).then(() => undefined),
    stats: Promise.all(stats).then((all) => ({ workers: all.flatMap((f) => f.workers), cpuSeconds: all.reduce((n, f) => n + f.cpuSeconds, 0) })),
    // A fleet that has reported may be exiting: its channel can close under the send (EPIPE), and it needs no stop.
    stop: () => children.forEach((c) => c.connected && c.send('stop', () => undefined)),
    pids: children.map((c) => c.pid!),
  };
}

interface StartedRun {
  coordinator: ChildProcess;
  exit: Promise<number | null>;
  probe: Probe;
  fleets: ReturnType<typeof startFleets>;
  fleetProbes: Probe[];
  reals: ChildProcess[];
  realProbes: Probe[];
  runOut: string; // the run's output directory (journal, report)
}

/** Writes the config, starts the coordinator, the fleets and (after the idle peers) the real workers. */
async function startRun(options: SimulationOptions, coordinatorStderr: 'file' | 'pipe'): Promise<StartedRun> {
  mkdirSync(options.out, { recursive: true });
  const cache = join(repoRoot, '.cache', 'bench');
  const data = options.rows > 0 ? syntheticDataset(cache, options.rows, 1024)
    : options.repeat > 1 ? repeatedSample(cache, officialSample.input, officialSample.truth, options.repeat)
    : { input: officialSample.input, truth: officialSample.truth };
  const port = await freePort();
  const endpoint = `tcp://127.0.0.1:${port}`;
  const runOut = join(options.out, 'run');
  const config = {
    model: officialSample.modelDir, layers: options.layers, input: data.input, truth: data.truth, out: runOut,
    shards: { maxRows: options.shardRows, minRows: Math.min(options.minShardRows, options.shardRows), targetSeconds: options.targetSeconds, minSeconds: options.minSeconds },
    coordinator: { bind: endpoint, heartbeatMs: options.heartbeatMs, timeoutMs: Math.max(10_000, 10 * options.heartbeatMs), startGraceMs: 120_000 },
    worker: { prefetch: options.prefetch },
    workers: [{ launch: 'manual', count: options.real > 0 ? options.real : options.workers }],
  };
  const configPath = join(options.out, 'config.json');
  writeFileAtomic(configPath, JSON.stringify(config, null, 2));
  const stderr = coordinatorStderr === 'pipe' ? 'pipe' : openSync(join(options.out, 'coordinator.log'), options.resume ? 'a' : 'w');
  const coordinator = spawn(process.execPath, [...profileArgs(options.out), '--import', 'tsx', MAIN, 'run', configPath, ...(options.resume ? ['--resume'] : []), '--no-progress', '--log-level', options.logLevel], { stdio: ['ignore', 'ignore', stderr] });
  const exit = exited(coordinator);
  const probe = new Probe(coordinator.pid!);
  const fleets = startFleets(options, endpoint, data.truth);
  // A fleet process that dies leaves the coordinator waiting for its workers: end it, so the run fails (with the fleet's error) instead of leaving it running.
  fleets.stats.catch(() => coordinator.kill('SIGKILL'));
  const reals: ChildProcess[] = [];
  if (options.real > 0) {
    await fleets.welcomed; // the idle peers are all connected before the real workers join
    for (let i = 0; i < options.real; i++) {
      const args = [MAIN, 'worker', '--connect', endpoint, '--name', `real-${i}`, '--engine', 'cpu', '--threads', '1', '--prefetch', `${options.prefetch}`, '--log-level', 'warn'];
      reals.push(spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['ignore', 'ignore', 'inherit'] }));
    }
  }
  return { coordinator, exit, probe, fleets, fleetProbes: fleets.pids.map((pid) => new Probe(pid)), reals, realProbes: reals.map((r) => new Probe(r.pid!)), runOut };
}

/**
 * Kills the coordinator (-9) once it has logged `shards` shards as done, and returns those shards and
 * the run's directory: every shard counted must be in the journal. (The coordinator must log at debug.)
 */
export async function crashRun(options: SimulationOptions, shards: number): Promise<{ counted: number[]; runOut: string }> {
  const run = await startRun(options, 'pipe');
  const counted: number[] = [];
  for await (const line of createInterface({ input: run.coordinator.stderr! })) {
    const entry = JSON.parse(line) as { msg?: string; shard?: number };
    if (entry.msg === 'shard done') counted.push(entry.shard!);
    if (counted.length === shards) {
      run.coordinator.kill('SIGSTOP'); // frozen at once, mid-run; then the crash itself
      run.coordinator.kill('SIGKILL');
      break;
    }
  }
  await run.exit;
  for (const p of [run.probe, ...run.fleetProbes, ...run.realProbes]) p.stop();
  run.fleets.stop();
  await run.fleets.stats;
  if (counted.length < shards) throw new Error(`the run ended after ${counted.length} shards counted, before the ${shards} to crash at (is the coordinator logging at debug?)`);
  return { counted, runOut: run.runOut };
}

export async function simulate(options: SimulationOptions): Promise<SimulationResult> {
  const { exit, probe, fleets, fleetProbes, reals, realProbes, runOut } = await startRun(options, 'file');
  const exitCode = await exit;
  for (const p of [probe, ...fleetProbes, ...realProbes]) p.stop();
  fleets.stop(); // its finish messages are sent; a worker that never got one (a run already finished) must not wait for it
  await Promise.all(reals.map(exited));
  const { workers, cpuSeconds: fleetCpuSeconds } = await fleets.stats;
  const report = JSON.parse(readFileSync(join(runOut, 'report.json'), 'utf8')) as RunReport;

  // The run's window: it ends when the last simulated worker was told to finish (or the report was written).
  const finished = workers.flatMap((w) => (w.finishedAt === undefined ? [] : [w.finishedAt]));
  const end = finished.length > 0 ? Math.max(...finished) : Date.parse(report.finishedAt);
  const latencies = workers.flatMap((w) => w.latenciesMs).sort((a, b) => a - b);
  const makespanMs = report.wallSeconds * 1000;
  const idle = workers.filter((w) => w.readyAt !== undefined).map((w) => Math.max(0, makespanMs - w.busyMs) / makespanMs);
  const computing = workers.filter((w) => w.firstShardAt !== undefined && w.lastResultAt !== undefined);
  const firstStart = Math.min(...computing.map((w) => w.firstShardAt!));
  const lastEnd = Math.max(...computing.map((w) => w.lastResultAt!));
  const meanOf = (f: (w: SimWorkerStats) => number): number => computing.reduce((n, w) => n + f(w), 0) / Math.max(1, computing.length) / makespanMs;
  const rows = report.rows;
  const { steadyResultsPerSecond, firstTenth } = journalRates(runOut);
  const speed = Array.from({ length: options.workers }, (_, i) => 1 / (isStraggler(i, options.stragglers) ? options.slowdown : 1)).reduce((a, b) => a + b, 0);
  return {
    status: report.status,
    exitCode,
    shards: report.shards.planned + report.shards.splits,
    rows,
    reportedWorkers: report.workers.length,
    workerRows: workers.reduce((n, w) => n + w.rows, 0),
    wallSeconds: report.wallSeconds,
    resultsPerSecond: report.shards.computed / report.wallSeconds,
    steadyResultsPerSecond,
    firstTenthSeconds: (firstTenth.to - firstTenth.from) / 1000,
    firstTenthCpu: { coordinator: probe.cpuLoad(firstTenth.from, firstTenth.to), fleet: fleetProbes.reduce((n, p) => n + p.cpuLoad(firstTenth.from, firstTenth.to), 0) },
    edgesPerSecond: report.edgesPerSecond,
    idealSeconds: options.real > 0 ? Number.NaN : (rows * options.msPerRow) / speed / 1000,
    coordinatorCpu: probe.cpuLoad(end - makespanMs, end),
    coordinatorCpuPerResultUs: (report.cpuSeconds / report.shards.computed) * 1e6,
    coordinatorPeakRssMb: probe.peakRssBytes() / 2 ** 20,
    fleetCpu: fleetProbes.reduce((n, p) => n + p.cpuLoad(end - makespanMs, end), 0),
    fleetCpuPerResultUs: (fleetCpuSeconds / report.shards.computed) * 1e6,
    realWorkersCpu: realProbes.reduce((n, p) => n + p.cpuLoad(end - makespanMs, end), 0),
    latencyMs: { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), max: latencies.at(-1) ?? Number.NaN },
    idleFraction: { mean: idle.reduce((a, b) => a + b, 0) / Math.max(1, idle.length), max: Math.max(0, ...idle) },
    startIdle: meanOf((w) => w.firstShardAt! - firstStart),
    endIdle: meanOf((w) => lastEnd - w.lastResultAt!),
  };
}
