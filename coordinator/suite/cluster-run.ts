// The suite's way to run a benchmark: a cluster run (coordinator/run.ts) in this process, with the
// setup's workers; its report lands in the benchmark's run directory. Shards are counted as results
// arrive (the total when the run reports it).
import type { Logger } from 'pino';

import type { LogLevel } from '../../common/config/logger.js';
import { runCluster } from '../run.js';
import type { RunBenchmark } from './run-suite.js';

export function clusterRun(log: Logger, workerLogLevel: LogLevel): RunBenchmark {
  return async (run, onShard) => {
    let done = 0;
    await runCluster(run.config, {
      resume: false,
      // The coordinator's own info lines would repeat the suite's progress: warnings and errors only.
      log: log.child({ benchmark: run.name }, { level: log.level === 'info' ? 'warn' : log.level }),
      logLevel: workerLogLevel,
      progress: false, // the suite draws its own
      onResult: (_shard: unknown, _worker: string, progress?: { done: number; total: number }) => {
        done++;
        onShard(progress?.done ?? done, progress?.total);
      },
    });
  };
}
