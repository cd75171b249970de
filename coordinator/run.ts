// One cluster run from a validated configuration: start the local workers (they open the files the
// run names), bind (they connect and wait in the lobby while the run loads), load the model, inputs
// and truth (everything that can be wrong is found before any work), plan or resume the shards, start
// the coordinator and the Slurm workers, wait, then gather in row order, verify against the truth and
// write the report (the verdict), and only then wait for the workers to exit.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';

import { newKeyPair, readKeyPair, readPublicKey, type KeyPair } from '../common/config/keys.js';
import { groupEngine, type RunConfig } from '../common/config/schema.js';
import { ConfigError } from '../common/config/load.js';
import { openInputs, openModel, readTruth } from '../common/data.js';
import { formatChecksum } from '../common/checksum.js';
import { formatRowRange, resolveRowRange } from '../common/row-range.js';
import { native, type NativeInputs, type NativeModel } from '../common/native.js';
import { createProgressBar } from '../common/progress.js';
import { PhaseClock } from '../common/timing.js';
import type { LaunchCommands } from './launch/commands.js';
import { LocalLauncher, type LocalWorker } from './launch/local.js';
import { workerArgs } from './launch/worker-args.js';
import { launchSlurmWorkers } from './launch/slurm-launcher.js';
import { slurmJobSchema } from '../common/config/slurm.js';
import { slurmWorkerCount } from './launch/slurm-workers.js';
import { Coordinator, type Outcome } from './coordinator.js';
import { fingerprint } from './fingerprint.js';
import { Journal } from './journal.js';
import { Lobby } from './lobby.js';
import { readFinishedReport, type RunReport } from './report.js';
import { amendReport, concludeRun } from './conclude.js';
import { RunStats } from './run-stats.js';
import { Scheduler, type ShardResult } from './scheduler.js';
import { planShards, type Shard } from './shard-plan.js';
import { CoordinatorSocket } from './socket.js';
import { binaryModelPath } from './binary-model.js';
import { lastLoggedError } from './worker-log.js';

export interface RunOptions {
  resume: boolean;
  /** What starts local and Slurm workers (cli/snig-command.ts's launchCommands()). */
  commands: LaunchCommands;
  /** The run's clock: `snig run` passes one counting from process start (default: from this call). */
  clock?: PhaseClock;
  log: Logger;
  logLevel: string; // for the local workers
  progress?: boolean;
  /** Aborting it (Ctrl-C) ends the run: workers are told to finish, the report says ABORTED. */
  signal?: AbortSignal;
  /** Called once the coordinator listens and the local workers are started (tests use it). */
  onStarted?: (endpoint: string, workers: LocalWorker[]) => void;
  onResult?: (shard: Shard, worker: string) => void;
  onAssign?: (shard: Shard, worker: string) => void;
  /**
   * Called once with the report as soon as it is written (the verdict; or a finished run's, read back),
   * before the run waits for its workers to exit; the report it returns differs only by failures after it.
   */
  onVerdict?: (report: RunReport) => void;
  /** A worker process already started, waiting for its settings: the first local worker (see LocalLaunchOptions). */
  earlyWorker?: ChildProcess;
}

function curveSetup(config: RunConfig, localWorkers: number): { server: KeyPair; allowed: Set<string>; local: KeyPair[] } | undefined {
  if (!config.security.curve) return undefined;
  const server = readKeyPair(config.security.coordinatorKey!);
  const allowed = new Set(config.security.workerKeys.map(readPublicKey));
  // Local workers get fresh pairs through their environment; only this run admits them.
  const local = Array.from({ length: localWorkers }, newKeyPair);
  for (const pair of local) allowed.add(pair.public);
  return { server, allowed, local };
}

/**
 * Shared mode reads rows from a binary input file, mapped, so that each worker reads its own rows
 * only: the configured file when it is one, else the TSV converted once into the run's folder.
 */
async function sharedInputPath(config: RunConfig, inputs: NativeInputs): Promise<string> {
  if (inputs.mapped) return config.input;
  const path = join(config.out, 'inputs.snigrows');
  await native().writeInputs(inputs, path);
  return path;
}

/**
 * Rows per streamed shard that fit in half a message (compact columns, values when some is not 1,
 * an 8-byte offset per row; on average); shared mode: no limit.
 */
function streamedRowLimit(config: RunConfig, inputs: NativeInputs): number | undefined {
  if (config.mode !== 'streamed') return undefined;
  const rowBytes = ((inputs.neurons <= 65536 ? 2 : 4) + 4) * (inputs.nnz / Math.max(1, inputs.rows)) + 16;
  const rows = Math.floor(config.coordinator.maxMessageBytes / 2 / rowBytes);
  if (rows < 1) {
    throw new ConfigError(`coordinator.maxMessageBytes ${config.coordinator.maxMessageBytes}: too small to carry one input row of ${config.input} in streamed mode (needs ${Math.ceil(2 * rowBytes)})`);
  }
  return rows;
}

export async function runCluster(config: RunConfig, options: RunOptions): Promise<RunReport> {
  const { log } = options;
  const clock = options.clock ?? new PhaseClock(performance.now()); // the total counts from its origin to the verdict
  const startedAt = new Date().toISOString();
  mkdirSync(config.out, { recursive: true });
  // Slurm groups count the allocation's tasks (and fail here, before any loading, outside one).
  const workerCount = config.workers.reduce((n, g) => n + (g.launch === 'slurm' ? slurmWorkerCount(g) : g.count), 0);
  const localCount = config.workers.reduce((n, g) => n + (g.launch === 'local' ? g.count : 0), 0);
  const remote = config.workers.some((g) => g.launch !== 'local'); // workers this process cannot watch
  const curve = curveSetup(config, localCount);
  const socket = new CoordinatorSocket({ bind: config.coordinator.bind, maxMessageBytes: config.coordinator.maxMessageBytes, deadHostMs: config.coordinator.timeoutMs, curve: curve && { server: curve.server, allowed: curve.allowed }, log });
  const stats = new RunStats();
  let coordinator: Coordinator | undefined;
  let lobby: Lobby | undefined;
  let launcher: LocalLauncher | undefined;
  let dismissed = false; // the run ended before its coordinator started, and sent its workers away
  let lastFailure: string | undefined;
  let verdictAt: number | undefined; // performance.now() once the report is written
  let model: NativeModel | undefined;
  let inputs: NativeInputs | undefined;
  let journal: Journal | undefined;
  /** With every worker local, none left means nobody will take the remaining shards. */
  const abortIfNoneLeft = (live: Coordinator): void => {
    if (!remote && launcher?.running() === 0 && live.liveWorkers() === 0) {
      live.abort(`every worker has exited${lastFailure ? `; last failure: ${lastFailure}` : ''}`);
    }
  };
  try {
    // The local workers start (node and the CLI's modules: seconds) and open the files the run names
    // while it binds and loads; they wait in the lobby.
    launcher = new LocalLauncher({
      command: options.commands.localWorker,
      groups: config.workers,
      detectGpus: () => native().info().gpus.map((g) => g.id),
      worker: config.worker,
      coordinator: config.coordinator,
      out: config.out,
      logLevel: options.logLevel,
      curve: curve && { serverKey: curve.server.public, pairs: curve.local },
      early: options.earlyWorker,
      // In shared mode with binary inputs the workers open the configured files meanwhile (a binary
      // model; a welcome naming the same takes them).
      preload: (group) =>
        config.mode === 'shared' && config.input.endsWith('.snigrows')
          ? { model: config.model, layers: config.layers, bias: config.bias, inputs: config.input, engine: groupEngine(config, group) }
          : undefined,
      onExit: (name, how, logFile) => {
        if (how === 'exit code 0' || dismissed) log.info({ worker: name, how }, 'local worker exited');
        else {
          // Say why: the cause is in the worker's log, which the operator may not know to look at.
          const cause = lastLoggedError(logFile);
          const message = `process ended (${how})${cause ? `: ${cause}` : ''}; log: ${logFile}`;
          log.error({ worker: name, how, cause, log: logFile }, 'local worker failed');
          stats.failures.push({ worker: name, message, ...(verdictAt === undefined ? {} : { afterVerdict: true as const }) });
          lastFailure = `${name}: ${message}`;
        }
        if (!coordinator) {
          lobby?.left(name); // the coordinator sees who is left when it starts
          return;
        }
        coordinator.workerExited(name, how);
        abortIfNoneLeft(coordinator);
      },
    });
    const launched = launcher.start();
    if (launched.length > 0) log.info({ workers: launched }, 'local workers started');
    // Bound before anything loads: a wrong address fails the run before it writes its journal.
    const endpoint = await socket.bind();
    lobby = new Lobby(socket, config.worker.retryDelayMs / 4, log);
    launcher.connect(endpoint.replace('0.0.0.0', '127.0.0.1'));

    model = await clock.time('load', () => openModel({ model: config.model, layers: config.layers, bias: config.bias }));
    const opened = await clock.time('load', () => openInputs(config.input, model!.neurons));
    inputs = opened;
    const { begin, end } = resolveRowRange(config.rowRange, inputs.rows);
    // A truth row past the inputs is an error (as in `snig infer`), found before any work.
    const truthPath = config.truth;
    const truth = truthPath === undefined ? undefined : await clock.time('load', () => readTruth(truthPath, opened.rows));
    const limitRows = streamedRowLimit(config, inputs);
    const planned = planShards({ begin, end, workers: workerCount, maxRows: config.shards.maxRows, minRows: config.shards.minRows, limitRows });
    // The journal's part of the total: the inputs' fingerprint (a hash of the file, up to 256 MB) and the journal's open.
    const started = performance.now();
    const work = {
      model: { checksum: model.checksum, layers: model.layers, bias: config.bias ?? null },
      inputs: { rows: inputs.rows, fingerprint: fingerprint(config.input) },
      rowRange: [begin, end] as [number, number],
      shards: planned.map((s): [number, number] => [s.begin, s.end]),
    };
    journal = Journal.open(join(config.out, 'journal.jsonl'), work, options.resume);
    clock.add('journal', (performance.now() - started) / 1000);
    for (const entry of journal.invalid) log.warn({ entry }, 'journal: a finished shard is not a valid result; it is done again');
    const { shards } = journal;
    const results = new Map<number, number[]>();
    for (const [id, entry] of journal.finished) results.set(id, entry.categories);
    const finishedReport = results.size === shards.length ? readFinishedReport(config.out) : undefined;
    if (finishedReport) {
      log.info({ status: finishedReport.status }, 'the run was already finished: its report stands as it was');
      options.onVerdict?.(finishedReport);
      return finishedReport;
    }
    log.info({ shards: shards.length, resumed: results.size, rowRange: formatRowRange({ begin, end }), checksum: formatChecksum(model.checksum) }, 'run planned');

    // Workers load the binary model (a TSV one is written once); shared mode maps binary inputs.
    const loaded = model;
    const modelPath = await clock.time('convert', () => binaryModelPath(config.model, loaded, config.out));
    const streamed = config.mode === 'streamed' ? readFileSync(modelPath) : undefined;
    const inputPath = streamed ? config.input : await clock.time('convert', () => sharedInputPath(config, opened));
    const chunkBytes = config.coordinator.chunkBytes;
    const chunks = streamed ? Math.ceil(streamed.length / chunkBytes) : 0;
    const scheduler = new Scheduler({
      shards,
      nextShardId: journal.nextShardId,
      done: new Set(results.keys()),
      sizing: config.shards,
      checksum: model.checksum,
      timeoutMs: config.coordinator.timeoutMs,
      shardTimeoutMs: config.coordinator.shardTimeoutMs,
      maxShardAttempts: config.coordinator.maxShardAttempts,
      maxWorkerFailures: config.coordinator.maxWorkerFailures,
      chunks,
      expectedWorkers: workerCount, // the count the shards were planned for
      startGraceMs: config.coordinator.startGraceMs,
    });
    const progress = options.progress === false ? undefined : createProgressBar('snig run |{bar}| {percentage}% | {value}/{total} rows | {workers} workers | ETA {eta_formatted}');
    let rowsDone = [...journal.finished.values()].reduce((n, done) => n + done.end - done.begin, 0);
    const live: Coordinator = new Coordinator({
      scheduler,
      journal,
      stats,
      log,
      welcome: {
        mode: config.mode,
        model: { path: streamed ? undefined : modelPath, layers: model.layers, bias: config.bias, checksum: model.checksum, bytes: streamed?.length ?? 0, chunks },
        inputs: { path: streamed ? undefined : inputPath, rows: inputs.rows, neurons: model.neurons },
        heartbeatMs: config.coordinator.heartbeatMs,
        timeoutMs: config.coordinator.timeoutMs,
      },
      groupEngine: (group) => groupEngine(config, group),
      modelBytes: streamed,
      chunkBytes,
      idleTimeoutMs: config.coordinator.idleTimeoutMs,
      inputs: streamed ? inputs : undefined,
      socket,
      onAssign: options.onAssign,
      onResult: (shard: Shard, worker: string, result: ShardResult) => {
        results.set(shard.id, result.categories);
        rowsDone += shard.end - shard.begin;
        progress?.update(rowsDone, end - begin, { workers: live.liveWorkers() });
        options.onResult?.(shard, worker);
      },
    });
    coordinator = live;
    live.start(lobby.close()); // the hellos of the workers that waited
    if (launched.length > 0) abortIfNoneLeft(live); // every local one may have failed while the run loaded
    const interrupted = (): void => live.abort('interrupted');
    if (options.signal?.aborted) interrupted();
    options.signal?.addEventListener('abort', interrupted, { once: true });
    const listening = performance.now();
    log.info({ endpoint, mode: config.mode }, 'coordinator listening');
    const slurm = config.workers.flatMap((group, index) =>
      group.launch === 'slurm' && !scheduler.complete
        ? [launchSlurmWorkers({ bound: endpoint, group, snig: options.commands.snig, job: slurmJobSchema.parse(config.slurm ?? {}), workerArgs: workerArgs(config, index, options.logLevel), log })]
        : [],
    );
    // With no manual workers, every worker this run can have is watched: once the Slurm steps have
    // ended and no local worker is left, nobody will come back for the remaining shards.
    let slurmSteps = slurm.length;
    for (const step of slurm) {
      void step.exited.then(() => {
        slurmSteps -= 1;
        const manual = config.workers.some((g) => g.launch === 'manual');
        if (!manual && slurmSteps === 0 && launcher?.running() === 0 && live.liveWorkers() === 0) {
          live.abort('every Slurm worker step has ended');
        }
      });
    }
    options.onStarted?.(endpoint, launched);
    let outcome: Outcome;
    let ended = performance.now();
    try {
      outcome = await live.outcome;
    } finally {
      ended = performance.now();
      options.signal?.removeEventListener('abort', interrupted);
      progress?.stop();
      await live.close(); // the workers' `finish` sent, the journal synced
    }
    // The workers were told to finish. Their exit (a GPU worker's CUDA context: ~0.13 s) comes after
    // the verdict, as `snig infer`'s own engine release does; the run still waits for it before it returns.
    const exited = Promise.all([launcher.stop(), ...slurm.map((step) => step.stop())]);
    try {
      // The workers' start beyond the load (from the coordinator's start to the first assignment), and
      // the coordinator's close after the last result.
      clock.add('workers start', Math.max(0, (ended - listening) / 1000 - outcome.seconds));
      for (const [phase, seconds] of Object.entries(stats.shardPhases(outcome.seconds))) clock.add(phase, seconds);
      clock.add('shutdown', (performance.now() - ended) / 1000);
      const inputFileBytes = statSync(inputPath).size;
      const report = await concludeRun(config, { model, begin, end, truth, shards: scheduler.allShards(), plannedShards: journal.plan.shards.length, results, stats, outcome, startedAt, resumed: journal.finished.size, clock, inputFileBytes });
      verdictAt = performance.now();
      options.onVerdict?.(report);
      await exited;
      log.info({ seconds: (performance.now() - verdictAt) / 1000 }, 'workers exited after the verdict');
      return amendReport(config.out, report, stats.failures);
    } finally {
      await exited; // never returns with a worker of its own still running
    }
  } finally {
    if (!coordinator) {
      // The run ended before it started (a load failed, or it had finished): its workers are sent away.
      dismissed = true;
      lobby?.dismiss();
      await launcher?.stop(1000);
    }
    await socket.close();
    journal?.close();
    inputs?.close();
    model?.close();
  }
}
