// The suite's way to run a benchmark: a cluster run (coordinator/run.ts) in this process, with the
// setup's workers; its report lands in the benchmark's run directory. The coordinator logs every
// finished shard with `shardsDone`/`shardsTotal`: the suite reads its log lines for its progress and
// passes on only the warnings and errors (the rest would repeat the progress).
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

import type { LogLevel } from '../common/log-levels.js';
import type { LaunchCommands } from '../coordinator/launch/commands.js';
import { runCluster } from '../coordinator/run.js';
import type { RunBenchmark } from './run-suite.js';

interface LogLine {
  level?: number;
  msg?: string;
  shardsDone?: unknown;
  shardsTotal?: unknown;
}

const WARN = 40;
const ERROR = 50;

/** A logger for one run whose lines become shard progress, and warnings/errors in the suite's log. */
function runLogger(log: Logger, benchmark: string, onShard: (done: number, total?: number) => void): Logger {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString('utf8').split('\n')) {
        if (!text) continue;
        const line = JSON.parse(text) as LogLine;
        if (typeof line.shardsDone === 'number' && typeof line.shardsTotal === 'number') onShard(line.shardsDone, line.shardsTotal);
        if ((line.level ?? 0) >= ERROR) log.error({ benchmark, ...line }, line.msg);
        else if ((line.level ?? 0) >= WARN) log.warn({ benchmark, ...line }, line.msg);
      }
      done();
    },
  });
  return pino({ level: log.level === 'debug' || log.level === 'trace' ? log.level : 'info', base: null, timestamp: false }, sink);
}

/** The suite's RunBenchmark: a cluster run in this process, its workers started with `commands`. */
export function clusterRun(log: Logger, workerLogLevel: LogLevel, commands: LaunchCommands): RunBenchmark {
  return async (run, onShard) => {
    await runCluster(run.config, {
      resume: false,
      commands,
      log: runLogger(log, run.name, onShard),
      logLevel: workerLogLevel,
      progress: false, // the suite draws its own
    });
  };
}
