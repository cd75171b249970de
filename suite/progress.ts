// Suite progress: which benchmark, which shard, ETA. A bar on a terminal (log lines go above it),
// log lines otherwise.
import type { Logger } from 'pino';

import { createProgressBar, type ProgressBar } from '../common/progress.js';

import type { SuiteResult } from './result.js';
import { formatRate } from './results-markdown.js';

export interface SuiteProgress {
  benchmark(index: number, count: number, name: string, step: 'preparing inputs' | 'running' | 'skipped (done)'): void;
  shard(done: number, total?: number): void;
  finished(result: SuiteResult): void;
  stop(): void;
}

/** Seconds left for `total` items at the rate of the `done` so far (undefined before any is done). */
export function etaSeconds(elapsedSeconds: number, done: number, total: number): number | undefined {
  if (done <= 0) return undefined;
  return (elapsedSeconds / done) * Math.max(0, total - done);
}

/** The suite's progress display: a bar on a terminal, else log lines. */
export function suiteProgress(log: Logger, terminal: boolean): SuiteProgress {
  let label = '';
  let benchmark = '';
  let firstShardAt: number | undefined; // the ETA counts from the first shard (after worker start-up)
  let lastLine = 0; // log lines at most once a second (and at the last shard)
  let bar: ProgressBar | undefined;
  const stopBar = (): void => {
    bar?.stop();
    bar = undefined;
  };
  return {
    benchmark(index, count, name, step) {
      stopBar();
      label = `benchmark ${index + 1}/${count} ${name}`;
      benchmark = name;
      firstShardAt = undefined;
      lastLine = 0;
      log.info({ benchmark: name, index: index + 1, count, step }, `${label}: ${step}`);
    },
    shard(done, total) {
      if (terminal && total !== undefined) {
        bar ??= createProgressBar(`${label} [{bar}] shard {value}/{total} | ETA {eta_formatted}`);
        bar.update(done, total);
        return;
      }
      const now = Date.now();
      if (now - lastLine < 1000 && done !== total) return;
      lastLine = now;
      firstShardAt ??= now;
      const eta = total === undefined ? undefined : etaSeconds((now - firstShardAt) / 1000, done - 1, total - 1);
      log.info(
        { benchmark, shard: done, shards: total, etaSeconds: eta },
        `${label}: shard ${done}/${total ?? '?'}, ETA ${eta === undefined ? '?' : `${eta.toFixed(1)} s`}`,
      );
    },
    finished(result) {
      stopBar();
      log.info(
        { benchmark: result.benchmark, passed: result.passed, seconds: result.seconds, totalSeconds: result.totalSeconds, edgesPerSecond: result.edgesPerSecond, totalEdgesPerSecond: result.totalEdgesPerSecond },
        `${label}: ${result.passed ? 'PASSED' : 'FAILED'} in ${result.totalSeconds.toFixed(3)} s total (${result.seconds.toFixed(3)} s of shards), ${formatRate(result.totalEdgesPerSecond)} edges/s total`,
      );
    },
    stop: stopBar,
  };
}
