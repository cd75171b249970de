// The coordinator at scale, measured with simulated workers (scripts/bench/sim/): results/s, the
// coordinator's CPU and memory, assignment latency, idle time per worker, makespan against the ideal.
// Run: node --import tsx scripts/bench/simulate.ts --workers 1000 --rows 20000 [--processes 1]
//      [--shard-rows 1 --min-shard-rows 1] [--target-s S --min-s S] [--compute-ms 0] [--jitter 0] [--stragglers 0.1 --slowdown 2]
//      [--idle 10000] [--fleet-nice 19] [--real 2 --workers 0 --rows 0 --repeat 50] (real CPU workers on the official sample, 50 times over)
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { runContext } from './context.js';
import { workDir } from './data.js';
import { numberOption } from './number-option.js';
import { simulate, type SimulationOptions } from './sim/harness.js';
import { formatTable } from './table.js';

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '100' },
    real: { type: 'string', default: '0' },
    idle: { type: 'string', default: '0' },
    rows: { type: 'string', default: '10000' },
    repeat: { type: 'string', default: '1' },
    'shard-rows': { type: 'string', default: '1' },
    'min-shard-rows': { type: 'string', default: '1' },
    'target-s': { type: 'string' },
    'min-s': { type: 'string' },
    'compute-ms': { type: 'string', default: '0' },
    jitter: { type: 'string', default: '0' },
    stragglers: { type: 'string', default: '0' },
    slowdown: { type: 'string', default: '2' },
    prefetch: { type: 'string', default: '2' },
    processes: { type: 'string', default: '1' },
    'fleet-nice': { type: 'string', default: '0' },
    'heartbeat-ms': { type: 'string', default: '1000' },
    'log-level': { type: 'string', default: 'info' },
    layers: { type: 'string', default: '120' },
    seed: { type: 'string', default: '1' },
  },
});
const num = (key: keyof typeof values): number => numberOption(key, values[key]);
const given = (key: keyof typeof values): number | undefined => (values[key] === undefined ? undefined : num(key));
const options: SimulationOptions = {
  out: join(workDir, 'simulate', `${Date.now()}`),
  workers: num('workers'), real: num('real'), idle: num('idle'), rows: num('rows'), repeat: num('repeat'),
  shardRows: num('shard-rows'), minShardRows: num('min-shard-rows'), targetSeconds: given('target-s'), minSeconds: given('min-s'),
  msPerRow: num('compute-ms'), jitter: num('jitter'), stragglers: num('stragglers'), slowdown: num('slowdown'),
  prefetch: num('prefetch'), processes: num('processes'), fleetNice: num('fleet-nice'), heartbeatMs: num('heartbeat-ms'),
  logLevel: String(values['log-level']), layers: num('layers'), seed: num('seed'),
};
const r = await simulate(options);
const f = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : '-');
process.stdout.write(`${runContext()}\n${JSON.stringify(values)}\n\n`);
process.stdout.write(`${formatTable(['measure', 'value'], [
  ['verdict (exit code)', `${r.status} (${r.exitCode})`],
  ['shards / rows', `${r.shards} / ${r.rows}`],
  ['workers in the report', `${r.reportedWorkers}`],
  ['coordinator wall (first assignment → last result)', `${f(r.wallSeconds, 3)} s`],
  ['shard results/s', f(r.resultsPerSecond, 0)],
  ['shard results/s from 10 % to 90 % of the results; the first 10 % took', `${f(r.steadyResultsPerSecond, 0)}; ${f(r.firstTenthSeconds, 3)} s`],
  ['CPU during the first 10 % (cores: coordinator / fleet processes)', `${f(r.firstTenthCpu.coordinator, 2)} / ${f(r.firstTenthCpu.fleet, 2)}`],
  ['edges/s (real workers)', r.edgesPerSecond.toExponential(3)],
  ['makespan / ideal', Number.isFinite(r.idealSeconds) && r.idealSeconds > 0 ? `${f(r.wallSeconds, 3)} s / ${f(r.idealSeconds, 3)} s = ${f(r.wallSeconds / r.idealSeconds, 3)}` : '-'],
  ['coordinator CPU (cores, during the run)', f(r.coordinatorCpu, 2)],
  ['coordinator CPU per shard result (over the wall, all threads)', `${f(r.coordinatorCpuPerResultUs, 0)} µs`],
  ['coordinator peak RSS', `${f(r.coordinatorPeakRssMb, 0)} MB`],
  ['fleet processes\' CPU (cores: simulated workers, idle peers)', f(r.fleetCpu, 2)],
  ['fleet processes\' CPU per shard result (from the first shard received)', `${f(r.fleetCpuPerResultUs, 0)} µs`],
  ['real workers\' CPU (cores)', f(r.realWorkersCpu, 2)],
  ['assignment latency p50 / p99 / max', `${f(r.latencyMs.p50, 2)} / ${f(r.latencyMs.p99, 2)} / ${f(r.latencyMs.max, 2)} ms`],
  ['idle time per worker, mean / max', `${f(100 * r.idleFraction.mean)} % / ${f(100 * r.idleFraction.max)} % of the makespan`],
  ['idle before its first shard / after its last result, mean', `${f(100 * r.startIdle)} % / ${f(100 * r.endIdle)} %`],
])}\n`);
process.exitCode = r.status === 'PASSED' ? 0 : 1;
