// Shard sizing: many more shards than workers, so fast and slow workers finish together, and
// shards shrink near the end (guided self-scheduling) so the last ones finish close together.
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

/** Each shard takes 1/(4·workers) of the rows still unplanned, clamped to [minRows, maxRows]. */
export function planShards(options: ShardPlanOptions): Shard[] {
  const { begin, end, minRows } = options;
  const workers = Math.max(1, options.workers);
  const total = end - begin;
  const limit = Math.max(1, options.limitRows ?? Infinity);
  const maxRows = Math.min(limit, Math.max(minRows, options.maxRows ?? Math.ceil(total / (8 * workers))));
  const shards: Shard[] = [];
  let at = begin;
  while (at < end) {
    const guided = Math.ceil((end - at) / (4 * workers));
    const size = Math.min(end - at, maxRows, Math.max(Math.min(minRows, limit), guided));
    shards.push({ id: shards.length, begin: at, end: at + size });
    at += size;
  }
  return shards;
}
