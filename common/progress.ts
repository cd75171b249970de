// A progress bar on a terminal (cli-progress), nothing elsewhere or when not `enabled` (--quiet); log
// lines go above it.
import { startBar, stopBar } from './terminal.js';

export interface ProgressBar {
  update(done: number, total: number, payload?: Record<string, string | number>): void;
  stop(): void;
}

/** A progress bar on stderr when it is a terminal and `enabled`; otherwise one that draws nothing. */
export function createProgressBar(format: string, enabled = true): ProgressBar {
  if (!enabled || !process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  let bar: ReturnType<typeof startBar> | undefined;
  return {
    update(done, total, payload = {}) {
      bar ??= startBar(format, total, done, payload);
      bar.setTotal(total);
      bar.update(done, payload);
    },
    stop() {
      if (bar) stopBar();
      bar = undefined;
    },
  };
}
