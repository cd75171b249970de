// Small numeric helpers for the benchmarks.

/** The median of a non-empty list (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs `fn` `count` times in a row and returns the seconds of each run. */
export async function timeRuns(count: number, fn: () => Promise<void>): Promise<number[]> {
  const seconds: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    await fn();
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  return seconds;
}

/** Rows in `a` but not in `b` plus rows in `b` but not in `a`. */
export function differingRows(a: readonly number[], b: readonly number[]): number {
  const left = new Set(a);
  const right = new Set(b);
  let count = 0;
  for (const row of left) if (!right.has(row)) count++;
  for (const row of right) if (!left.has(row)) count++;
  return count;
}
