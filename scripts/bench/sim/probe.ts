// Samples another process's CPU time and resident memory from /proc (Linux), for the harness's
// report on the coordinator.
import { readFileSync } from 'node:fs';

export interface ProbeSample {
  at: number; // epoch ms
  cpuSeconds: number; // user + system
  rssBytes: number;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function sample(pid: number): ProbeSample | undefined {
  try {
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { at: performance.timeOrigin + performance.now(), cpuSeconds, rssBytes: Number(rss?.[1] ?? 0) * 1024 };
  } catch {
    return undefined; // the process has exited
  }
}

export class Probe {
  readonly samples: ProbeSample[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(pid: number, periodMs = 25) { // a run's first tenth can be a few tenths of a second
    this.timer = setInterval(() => {
      const s = sample(pid);
      if (s) this.samples.push(s);
    }, periodMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  peakRssBytes(): number {
    return Math.max(0, ...this.samples.map((s) => s.rssBytes));
  }

  /** CPU seconds per second between two epoch times (the samples nearest inside the window). */
  cpuLoad(from: number, to: number): number {
    const [first, last] = this.bounds(from, to);
    if (!first || !last || last.at <= first.at) return Number.NaN;
    return (last.cpuSeconds - first.cpuSeconds) / ((last.at - first.at) / 1000);
  }

  private bounds(from: number, to: number): [ProbeSample | undefined, ProbeSample | undefined] {
    const inside = this.samples.filter((s) => s.at >= from && s.at <= to);
    return [inside[0], inside.at(-1)];
  }
}
