// The shard plan: equal shards, many more than workers. They are what a worker gets before its speed
// is known; after that, shard-size.ts decides how much of a planned shard it gets (less at the end, and
// less for a straggler), and the scheduler splits the shard there.
export interface Shard {
  id: number;
  begin: number; // first row, 0-based
  end: number; // one past the last row
}

export interface ShardPlanOptions {
  begin: number;
  end: number;
  workers: number; // expected workers (≥ 1)
  maxRows?: number; // default: rows / (8 × workers), at least minRows
  minRows: number;
  limitRows?: number; // a hard bound over everything else (streamed shards must fit in one message)
}

/** Shards of maxRows rows each (the last one the rest). */
export function planShards(options: ShardPlanOptions): Shard[] {
  const { begin, end, minRows } = options;
  const workers = Math.max(1, options.workers);
  const limit = Math.max(1, options.limitRows ?? Infinity);
  const size = Math.min(limit, Math.max(minRows, options.maxRows ?? Math.ceil((end - begin) / (8 * workers))));
  const shards: Shard[] = [];
  for (let at = begin; at < end; at += size) shards.push({ id: shards.length, begin: at, end: Math.min(end, at + size) });
  return shards;
}
