// The shards waiting for a worker, by id, next first. Kept reversed (the next one last), so that
// taking the next shard and putting one back first are O(1): Array.shift copies the whole array once
// it is too large for V8 to trim in place (past about 16000 ids), a cost per assignment that grew
// with the run (4.6 µs at 20000 shards, 21 µs at 100000; docs/performance.md).
export class ShardQueue {
  private readonly reversed: number[];

  constructor(ids: readonly number[]) {
    this.reversed = ids.slice().reverse();
  }

  get length(): number {
    return this.reversed.length;
  }

  /** The next id (undefined: none). */
  peek(): number | undefined {
    return this.reversed.at(-1);
  }

  /** The position (0: next) of the first id that passes the test, or -1. */
  findIndex(test: (id: number) => boolean): number {
    const last = this.reversed.length - 1;
    for (let i = last; i >= 0; i--) if (test(this.reversed[i]!)) return last - i;
    return -1;
  }

  /** Takes out the id at a position (0: the next one). */
  removeAt(at: number): number {
    if (at === 0) return this.reversed.pop()!;
    return this.reversed.splice(this.reversed.length - 1 - at, 1)[0]!;
  }

  /** Puts an id at a position (0: it goes next). */
  insertAt(at: number, id: number): void {
    if (at === 0) this.reversed.push(id);
    else this.reversed.splice(this.reversed.length - at, 0, id);
  }
}
