// Where the time a user waits goes: named phases timed as they run, next to the total, so that every
// report gives the total (start to verdict) and its parts, not only the kernel's share.

/** Seconds per phase, in the order the phases first ran. */
export type Phases = Record<string, number>;

/** Times named phases of one command or run, and its total from `origin`. */
export class PhaseClock {
  private readonly phases: Phases = {};

  /** `origin`: when the total starts, in performance.now() milliseconds (default: process start). */
  constructor(private readonly origin = 0) {}

  /** Runs `work`, adding its duration to `phase`. */
  async time<T>(phase: string, work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.add(phase, (performance.now() - start) / 1000);
    }
  }

  add(phase: string, seconds: number): void {
    this.phases[phase] = (this.phases[phase] ?? 0) + seconds;
  }

  /** Seconds from the origin to now. */
  total(): number {
    return (performance.now() - this.origin) / 1000;
  }

  get parts(): Readonly<Phases> {
    return this.phases;
  }
}

/** "4.812 s total: model 2.100, inputs 0.300, ..., other 0.012" (other: the total's unnamed rest). */
export function describePhases(total: number, parts: Readonly<Phases>): string {
  const named = Object.entries(parts);
  const other = Math.max(0, total - named.reduce((sum, [, s]) => sum + s, 0));
  const list = [...named, ['other', other] as const].map(([name, s]) => `${name} ${s.toFixed(3)}`);
  return `${total.toFixed(3)} s total: ${list.join(', ')}`;
}
