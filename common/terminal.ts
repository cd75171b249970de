// The terminal's stderr, shared by log lines and a progress bar: while a bar is drawn, a log line goes
// above it (cli-progress redraws the bar below) instead of through it.
import cliProgress from 'cli-progress';

let active: cliProgress.MultiBar | undefined;

/** Writes a log line to stderr, above the progress bar when one is drawn. */
export function writeAboveBar(text: string): void {
  if (active) active.log(text);
  else process.stderr.write(text);
}

/** A progress bar on stderr that log lines go above; one at a time. */
export function startBar(format: string, total: number, start: number, payload: Record<string, unknown>): cliProgress.SingleBar {
  stopBar();
  active = new cliProgress.MultiBar(
    { format, stream: process.stderr, hideCursor: true, clearOnComplete: true, etaBuffer: 20 },
    cliProgress.Presets.shades_classic,
  );
  const bar = active.create(total, start, payload);
  active.update(); // drawn now, not at the next tick: a short run still shows it
  return bar;
}

/** Ends the bar on screen, if any, after writing the log lines buffered above it. */
export function stopBar(): void {
  active?.update(); // writes the log lines still buffered above the bar
  active?.stop();
  active = undefined;
}
