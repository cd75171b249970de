// Suite progress: which benchmark, which shard, ETA. A bar on a terminal, log lines otherwise.
import { SingleBar } from 'cli-progress';
import type { Logger } from 'pino';

import type { SuiteResult } from './result.js';
import { formatRate } from './results-markdown.js';

export interface SuiteProgress {
  benchmark(index: number, count: number, name: string, step: 'generating' | 'running' | 'skipped (done)'): void;
  shard(done: number, total?: number): void;
  finished(result: SuiteResult): void;
  stop(): void;
}

/** Seconds left at the rate so far (undefined before the first shard). */
export function etaSeconds(elapsedSeconds: number, done: number, total: number): number | undefined {
  if (done <= 0) return undefined;
  return (elapsedSeconds / done) * Math.max(0, total - done);
}

export function suiteProgress(log: Logger, terminal: boolean): SuiteProgress {
  let label = '';
  let started = Date.now();
  let bar: SingleBar | undefined;
  const stopBar = (): void => {
    bar?.stop();
    bar = undefined;
  };
  return {
    benchmark(index, count, name, step) {
      stopBar();
      label = `benchmark ${index + 1}/${count} ${name}`;
      started = Date.now();
      log.info({ benchmark: name, index: index + 1, count, step }, `${label}: ${step}`);
    },
    shard(done, total) {
      if (terminal && total !== undefined) {
        if (!bar) {
          bar = new SingleBar({ format: `${label} [{bar}] shard {value}/{total} | ETA {eta_formatted}`, etaBuffer: 20 });
          bar.start(total, done);
        }
        bar.setTotal(total);
        bar.update(done);
        return;
      }
      const eta = total === undefined ? undefined : etaSeconds((Date.now() - started) / 1000, done, total);
      log.info(
        { shard: done, shards: total, etaSeconds: eta },
        `${label}: shard ${done}/${total ?? '?'}, ETA ${eta === undefined ? '?' : `${eta.toFixed(1)} s`}`,
      );
    },
    finished(result) {
      stopBar();
      log.info(
        { benchmark: result.benchmark, passed: result.passed, seconds: result.seconds, edgesPerSecond: result.edgesPerSecond },
        `${label}: ${result.passed ? 'PASSED' : 'FAILED'} in ${result.seconds.toFixed(3)} s, ${formatRate(result.edgesPerSecond)} edges/s`,
      );
    },
    stop: stopBar,
  };
}
