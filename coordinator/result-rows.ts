// What a shard's result may say: its categories are 1-based rows, strictly increasing, inside the
// shard's rows (begin, end]. Anything else (a repeated row, a row of another shard) would put a
// wrong answer into categories.tsv, so such a result is refused, live or read back from a journal.
import { formatRowRange } from '../common/row-range.js';
import type { Shard } from './shard-plan.js';

/** Why these rows cannot be the result of `shard`, or undefined when they can. */
export function resultRowsProblem(shard: Pick<Shard, 'begin' | 'end'>, rows: readonly number[]): string | undefined {
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (!Number.isInteger(row) || row <= shard.begin || row > shard.end) return `row ${row} is outside the shard's rows ${formatRowRange(shard)}`;
    if (i > 0 && row <= rows[i - 1]!) return `rows are not strictly increasing (${rows[i - 1]} then ${row})`;
  }
  return undefined;
}
