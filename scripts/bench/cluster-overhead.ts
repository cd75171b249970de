// Cluster overhead: the same rows through `snig run` (1 local CPU worker, shared filesystem) against
// the engine alone in one process, and the wire protocol's throughput for streamed mode (model chunks
// and shard rows: msgpackr + ZeroMQ over TCP loopback + zod checks).
// Run: node --import tsx scripts/bench/cluster-overhead.ts [--rows 60000] [--threads 0]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { Dealer, Router } from 'zeromq';

import { validateConfig } from '../../common/config/load.js';
import { Engine } from '../../common/engine.js';
import { native } from '../../common/native.js';
import { decodeCoordinatorMessage, encode } from '../../common/protocol/codec.js';
import type { CoordinatorMessage } from '../../common/protocol/messages.js';
import { runCluster } from '../../coordinator/run.js';
import { runContext } from './context.js';
import { generatedSet, officialSample, workDir, type InputSet } from './data.js';
import { median } from './stats.js';
import { formatTable } from './table.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '60000' }, threads: { type: 'string', default: '0' }, repeats: { type: 'string', default: '5' } } });
const threads = Number(values.threads);
const repeats = Number(values.repeats);

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
  const report = await runCluster(config, { resume: false, log: pino({ level: 'silent' }), logLevel: 'warn', progress: false });
  const engine = report.workers.reduce((sum, w) => sum + w.seconds, 0); // engine time inside the shards
  return { wall: report.wallSeconds, engine, shards: report.shards.total, status: report.status };
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

process.stdout.write(`${runContext()}\nCPU engine threads: ${threads || 'all'}; medians of ${repeats} runs\n\n`);
const sets = [officialSample, await generatedSet(Number(values.rows), 1)];
const rows: Array<Array<string | number>> = [];
for (const set of sets) {
  const alone = await engineAlone(set);
  const runs = [];
  for (let i = 0; i < repeats; i++) runs.push(await cluster(set, 'shared', i));
  const wall = median(runs.map((r) => r.wall));
  const inShards = median(runs.map((r) => r.engine));
  const wire = median(runs.map((r) => (r.wall - r.engine) / r.wall));
  const streamed = await cluster(set, 'streamed', 0);
  const ms = (s: number): string => `${(s * 1000).toFixed(1)} ms`;
  const verdicts = [...new Set([...runs.map((r) => r.status), streamed.status])].join('/');
  rows.push([set.label, ms(alone), ms(wall), `${(((wall - alone) / wall) * 100).toFixed(1)} %`, `${runs[0]!.shards}`, ms(inShards), `${(wire * 100).toFixed(1)} %`, ms(streamed.wall), verdicts]);
}
const headers = ['rows', 'engine alone', 'cluster wall', 'overhead vs alone', 'shards', 'engine in shards', 'wire + scheduling', 'streamed wall', 'verdicts'];
process.stdout.write(`${formatTable(headers, rows)}\n\n`);

// Wire protocol: 4 MiB model chunks (the binary model of the generated set), and shard rows.
const addon = native();
const model = await addon.loadModel({ path: sets[1]!.modelDir, layers: 120, threads: 0 });
const binary = join(workDir, 'cluster', 'model.snig');
await addon.writeModelBinary(model, binary);
const bytes = readFileSync(binary);
const chunk = 4 * 1024 * 1024;
const chunks: CoordinatorMessage[] = [];
for (let i = 0; i * chunk < bytes.length; i++) chunks.push({ type: 'chunk', index: i, data: bytes.subarray(i * chunk, (i + 1) * chunk) });
const inputs = await addon.readInputs({ path: sets[1]!.input, neurons: model.neurons, rows: sets[1]!.rows });
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
