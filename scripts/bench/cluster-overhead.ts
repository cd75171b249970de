// Cluster overhead, in four sections (--sections, default all):
// - engine: the same rows through `snig run` (1 local CPU worker, in this process) against the engine
//   alone in one process, the shards' wall time only;
// - e2e: what a user waits for, from process start to verdict (issue 13): `snig infer` against
//   `snig run` with one worker on the same rows, both as child processes of the same runtime (the
//   built dist/, or sources through tsx), TSV and binary inputs, with the run report's parts;
// - bytes: input bytes the workers of a 4-worker run read (shared mode) or received (streamed mode),
//   each and in total, against the input file;
// - wire: the wire protocol's throughput for streamed mode (model chunks and shard rows: msgpackr +
//   ZeroMQ over TCP loopback + zod checks).
// Run: node --import tsx scripts/bench/cluster-overhead.ts [--rows 60000] [--threads 0] [--repeats 5]
//      [--sections e2e,bytes] [--runtime dist|tsx]   (dist: `npm run build` first)
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { Dealer, Router } from 'zeromq';

import { validateConfig } from '../../common/config/load.js';
import { Engine } from '../../common/engine.js';
import { native } from '../../common/native.js';
import { describePhases, type Phases } from '../../common/timing.js';
import { decodeCoordinatorMessage, encode } from '../../common/protocol/codec.js';
import type { CoordinatorMessage } from '../../common/protocol/messages.js';
import type { RunReport } from '../../coordinator/report.js';
import { launchCommands } from '../../cli/snig-command.js';
import { runCluster } from '../../coordinator/run.js';
import { runContext } from './context.js';
import { generatedSet, NEURONS, officialSample, repoRoot, workDir, type InputSet } from './data.js';
import { numberOption } from './number-option.js';
import { median } from './stats.js';
import { formatTable } from './table.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '60000' },
    threads: { type: 'string', default: '0' },
    repeats: { type: 'string', default: '5' },
    sections: { type: 'string', default: 'engine,e2e,bytes,wire' },
    runtime: { type: 'string', default: 'dist' },
  },
});
const threads = numberOption('threads', values.threads);
const repeats = numberOption('repeats', values.repeats);
const sections = new Set(values.sections.split(','));

async function engineAlone(set: InputSet): Promise<number> {
  const addon = native();
  const model = await addon.loadModel({ path: set.modelDir, layers: 120, threads: 0 });
  const inputs = await addon.readInputs({ path: set.input, neurons: model.neurons, rows: set.rows });
  const engine = await Engine.open(model, { engine: 'cpu', threads });
  await engine.infer(inputs); // warm-up
  const walls: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await engine.infer(inputs);
    walls.push((performance.now() - start) / 1000);
  }
  engine.close();
  inputs.close();
  model.close();
  return median(walls);
}

async function cluster(set: InputSet, mode: 'shared' | 'streamed', run: number): Promise<{ wall: number; engine: number; shards: number; status: string }> {
  const config = validateConfig(
    {
      model: set.modelDir, layers: 120, input: set.input, truth: set.truth, mode,
      out: join(workDir, 'cluster', `${mode}-${Date.now()}-${run}`),
      workers: [{ launch: 'local', count: 1, engine: 'cpu', threads }],
    },
    'bench',
  );
  const report = await runCluster(config, { resume: false, commands: launchCommands(), log: pino({ level: 'silent' }), logLevel: 'warn', progress: false });
  const engine = report.workers.reduce((sum, w) => sum + w.seconds, 0); // engine time inside the shards
  return { wall: report.wallSeconds, engine, shards: report.shards.planned + report.shards.splits, status: report.status };
}

/** MB/s of `messages` pulled one by one (request, reply) from a ROUTER to a DEALER over loopback. */
async function wireThroughput(messages: CoordinatorMessage[]): Promise<number> {
  const router = new Router({ maxMessageSize: 256 * 1024 * 1024 });
  await router.bind('tcp://127.0.0.1:*');
  const dealer = new Dealer({ maxMessageSize: 256 * 1024 * 1024, routingId: 'bench' });
  dealer.connect(router.lastEndpoint!);
  const serve = (async () => {
    let i = 0;
    for await (const [id] of router) {
      await router.send([id!, encode(messages[i++]!)]);
      if (i === messages.length) return;
    }
  })();
  let bytes = 0;
  const start = performance.now();
  for (let i = 0; i < messages.length; i++) {
    await dealer.send(encode({ type: 'request' }));
    const [reply] = await dealer.receive();
    const decoded = decodeCoordinatorMessage(reply!);
    if (!decoded.ok) throw new Error(decoded.error);
    bytes += reply!.length;
  }
  const seconds = (performance.now() - start) / 1000;
  await serve;
  dealer.close();
  router.close();
  return bytes / 1e6 / seconds;
}

/** The `snig` CLI of the chosen runtime: the built dist/ (what an installed package runs), or the sources through tsx. */
function snigArgv(): string[] {
  if (values.runtime === 'tsx') return [process.execPath, '--import', 'tsx', join(repoRoot, 'cli', 'main.ts')];
  const main = join(repoRoot, 'dist', 'cli', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first (or --runtime tsx)`);
  return [process.execPath, main];
}

/** Runs `snig <args>` as a child process; the seconds from spawn to exit. */
async function snig(args: string[]): Promise<number> {
  const [node, ...pre] = snigArgv();
  const start = performance.now();
  const child = spawn(node!, [...pre, ...args], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`snig ${args.join(' ')}: exit code ${code}\n${stderr}`);
  return (performance.now() - start) / 1000;
}

interface Waited {
  wall: number; // spawn to exit, as measured here
  total: number; // process start to verdict, as the command reports it
  parts: Phases;
  compute: number;
  verdict: string;
}

async function inferWaited(set: InputSet, input: string): Promise<Waited> {
  const report = join(workDir, 'e2e', 'infer.json');
  const wall = await snig(['infer', '--model', set.modelDir, '--input', input, '--truth', set.truth, '--engine', 'cpu', '--threads', `${threads}`, '--quiet', '--report', report]);
  const r = JSON.parse(readFileSync(report, 'utf8')) as { seconds: { total: number; parts: Phases }; inferenceSeconds: number; verdict: { passed: boolean } | null };
  return { wall, total: r.seconds.total, parts: r.seconds.parts, compute: r.inferenceSeconds, verdict: r.verdict?.passed ? 'PASSED' : 'FAILED' };
}

async function runWaited(set: InputSet, input: string, workers: number, mode: 'shared' | 'streamed', workerThreads = threads): Promise<Waited & { report: RunReport }> {
  const out = join(workDir, 'e2e', `run-${mode}-${workers}`);
  rmSync(out, { recursive: true, force: true });
  const wall = await snig([
    'run', '--model', set.modelDir, '--input', input, '--truth', set.truth, '--engine', 'cpu', '--threads', `${workerThreads}`,
    '--workers', `${workers}`, '--mode', mode, '--out', out, '--quiet', '--no-progress',
  ]);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
  return { wall, total: report.seconds.total, parts: report.seconds.parts, compute: report.seconds.parts.compute ?? 0, verdict: report.status, report };
}

/** The generated set's inputs in the binary format (`snig convert`), made once. */
async function binaryInputs(set: InputSet): Promise<string> {
  const path = join(workDir, 'e2e', `inputs-${set.rows}.snigrows`);
  if (!existsSync(path)) await snig(['convert', '--inputs', set.input, '--out', path]);
  return path;
}

const s3 = (x: number): string => x.toFixed(3);
const ms = (x: number): string => `${(x * 1000).toFixed(1)} ms`;

async function engineSection(sets: InputSet[]): Promise<void> {
  const rows: Array<Array<string | number>> = [];
  for (const set of sets) {
    const alone = await engineAlone(set);
    const runs = [];
    for (let i = 0; i < repeats; i++) runs.push(await cluster(set, 'shared', i));
    const wall = median(runs.map((r) => r.wall));
    const inShards = median(runs.map((r) => r.engine));
    const wire = median(runs.map((r) => (r.wall - r.engine) / r.wall));
    const streamed = await cluster(set, 'streamed', 0);
    const verdicts = [...new Set([...runs.map((r) => r.status), streamed.status])].join('/');
    rows.push([set.label, ms(alone), ms(wall), `${(((wall - alone) / wall) * 100).toFixed(1)} %`, `${runs[0]!.shards}`, ms(inShards), `${(wire * 100).toFixed(1)} %`, ms(streamed.wall), verdicts]);
  }
  const headers = ['rows', 'engine alone', 'cluster wall', 'overhead vs alone', 'shards', 'engine in shards', 'wire + scheduling', 'streamed wall', 'verdicts'];
  process.stdout.write(`${formatTable(headers, rows)}\n\n`);
}

/** The median run of `count` by total, so that its parts add up to the total shown. */
async function medianRun<T extends Waited>(count: number, run: () => Promise<T>): Promise<T> {
  const runs: T[] = [];
  for (let i = 0; i < count; i++) runs.push(await run());
  return [...runs].sort((a, b) => a.total - b.total)[runs.length >> 1]!;
}

async function endToEndSection(set: InputSet): Promise<void> {
  mkdirSync(join(workDir, 'e2e'), { recursive: true });
  const rows: Array<Array<string | number>> = [];
  const parts: string[] = [];
  for (const [kind, input] of [['TSV (gzipped)', set.input], ['binary (.snigrows)', await binaryInputs(set)]] as const) {
    const infer = await medianRun(repeats, () => inferWaited(set, input));
    const run = await medianRun(repeats, () => runWaited(set, input, 1, 'shared'));
    const verdicts = [...new Set([infer.verdict, run.verdict])].join('/');
    const outside = (w: Waited): number => w.total - w.compute;
    rows.push([kind, `${s3(infer.total)} (${s3(infer.wall)})`, `${s3(run.total)} (${s3(run.wall)})`, (run.total / infer.total).toFixed(2), `${s3(infer.compute)} / ${s3(run.compute)}`, `${s3(outside(infer))} / ${s3(outside(run))}`, verdicts]);
    parts.push(`${kind}, snig infer: ${describePhases(infer.total, infer.parts)}`, `${kind}, snig run:   ${describePhases(run.total, run.parts)}`);
  }
  const headers = ['inputs', 'snig infer total s (wall)', 'snig run total s (wall)', 'run ÷ infer', 'compute s, infer / run', 'outside compute s, infer / run', 'verdicts'];
  process.stdout.write(`${formatTable(headers, rows)}\n\nmedian runs' parts (seconds):\n${parts.map((p) => `- ${p}`).join('\n')}\n\n`);
}

async function bytesSection(set: InputSet): Promise<void> {
  const binary = await binaryInputs(set);
  const inputs = await native().readInputs({ path: binary, neurons: NEURONS, rows: 0 });
  const { nnz } = inputs;
  inputs.close();
  const rows: Array<Array<string | number>> = [];
  for (const [label, input, mode] of [['shared, binary inputs', binary, 'shared'], ['shared, TSV converted by the coordinator', set.input, 'shared'], ['streamed', binary, 'streamed']] as const) {
    const { report } = await runWaited(set, input, 4, mode, 1);
    const { read, file } = report.inputBytes;
    const each = report.workers.map((w) => w.inputBytes).sort((a, b) => b - a).join(', ');
    rows.push([label, report.workers.length, each, read, file, (read / file).toFixed(3), (read / nnz).toFixed(3), report.status]);
  }
  const headers = ['4 workers (1 thread each)', 'workers', 'bytes each', 'bytes in total', 'file bytes', '× file', 'bytes per nonzero', 'verdict'];
  process.stdout.write(`${formatTable(headers, rows)}\n(${nnz} nonzeros; the file: 64-byte header, 8 bytes per row offset, 4 per 1024 nonzeros of checksums, 2 per nonzero)\n\n`);
}

async function wireSection(set: InputSet): Promise<void> {
  // 4 MiB model chunks (the binary model of the generated set), and shard rows.
  const addon = native();
  const model = await addon.loadModel({ path: set.modelDir, layers: 120, threads: 0 });
  const binary = join(workDir, 'cluster', 'model.snig');
  mkdirSync(join(workDir, 'cluster'), { recursive: true });
  await addon.writeModelBinary(model, binary);
  const bytes = readFileSync(binary);
  const chunk = 4 * 1024 * 1024;
  const chunks: CoordinatorMessage[] = [];
  for (let i = 0; i * chunk < bytes.length; i++) chunks.push({ type: 'chunk', index: i, data: bytes.subarray(i * chunk, (i + 1) * chunk) });
  const inputs = await addon.readInputs({ path: set.input, neurons: model.neurons, rows: set.rows });
  const shards: CoordinatorMessage[] = [];
  for (let begin = 0; begin < inputs.rows; begin += 1000) {
    const end = Math.min(inputs.rows, begin + 1000);
    shards.push({ type: 'assign', mark: 1, shards: [{ shard: shards.length, begin, end, inputs: inputs.toArrays(begin, end) }] });
  }
  const modelRate = median([await wireThroughput(chunks), await wireThroughput(chunks), await wireThroughput(chunks)]);
  const rowRate = median([await wireThroughput(shards), await wireThroughput(shards), await wireThroughput(shards)]);
  process.stdout.write(formatTable(['streamed mode, one worker pulling', 'MB/s'], [
    [`model: ${chunks.length} chunks of 4 MiB (${(bytes.length / 1e6).toFixed(1)} MB)`, modelRate.toFixed(0)],
    [`rows: ${shards.length} shards of 1000 rows`, rowRate.toFixed(0)],
  ]) + '\n');
  inputs.close();
  model.close();
}

process.stdout.write(`${runContext()}\nCPU engine threads: ${threads || 'all'}; medians of ${repeats} runs; runtime: ${values.runtime}\n\n`);
const generated = await generatedSet(numberOption('rows', values.rows), 1);
if (sections.has('engine')) await engineSection([officialSample, generated]);
if (sections.has('e2e')) await endToEndSection(generated);
if (sections.has('bytes')) await bytesSection(generated);
if (sections.has('wire')) await wireSection(generated);
