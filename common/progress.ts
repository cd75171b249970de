// A progress bar on a terminal (cli-progress), nothing elsewhere.
import cliProgress from 'cli-progress';

export interface ProgressBar {
  update(done: number, total: number, payload?: Record<string, string | number>): void;
  stop(): void;
}

export function createProgressBar(format: string): ProgressBar {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    { format, stream: process.stderr, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, payload = {}) {
      if (!started) {
        bar.start(total, done, payload);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(done, payload);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
