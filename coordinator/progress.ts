// The progress bar of a run, on a terminal only (logs and CI output stay clean).
import { SingleBar, Presets } from 'cli-progress';

export class RunProgress {
  private readonly bar?: SingleBar;
  private rows = 0;

  constructor(totalRows: number, doneRows: number, enabled = process.stderr.isTTY === true) {
    if (!enabled) return;
    this.bar = new SingleBar(
      { format: 'snig run |{bar}| {percentage}% | {value}/{total} rows | {workers} workers | ETA {eta_formatted}', stream: process.stderr, hideCursor: true },
      Presets.shades_classic,
    );
    this.rows = doneRows;
    this.bar.start(totalRows, doneRows, { workers: 0 });
  }

  advance(rows: number, workers: number): void {
    this.rows += rows;
    this.bar?.update(this.rows, { workers });
  }

  stop(): void {
    this.bar?.stop();
  }
}
