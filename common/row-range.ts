// The one notation for input rows that users see, in flags, configs, logs and reports: `first:last`,
// 1-based and inclusive like the challenge's own files (row 1 is the first image; `1:1200` is the
// first 1200). Either side may be left out (`:600`, `601:`). Inside, ranges are 0-based and
// half-open ([begin, end)), as the engines take them.

export const ROW_RANGE_HELP = 'rows first:last, 1-based and inclusive, e.g. 1:1200 (either side may be left out)';
const ROW_RANGE_PATTERN = /^(\d*):(\d*)$/;

/** 0-based, half-open: rows [begin, end). */
export interface RowSpan {
  begin: number;
  end: number;
}

/** The syntax alone: first and last (undefined when left out), or an error message. */
export function parseRowRangeSyntax(text: string): { first?: number; last?: number } | string {
  const match = ROW_RANGE_PATTERN.exec(text);
  if (!match) return `"${text}" is not a row range: ${ROW_RANGE_HELP}`;
  const first = match[1] ? Number(match[1]) : undefined;
  const last = match[2] ? Number(match[2]) : undefined;
  if (first === 0 || last === 0) return `"${text}": rows are numbered from 1`;
  if (first !== undefined && last !== undefined && first > last) return `"${text}": the first row is after the last`;
  return { first, last };
}

/** `text` (or every row when undefined) over `rows` input rows, as [begin, end); throws when outside. */
export function resolveRowRange(text: string | undefined, rows: number): RowSpan {
  if (text === undefined) return { begin: 0, end: rows };
  const parsed = parseRowRangeSyntax(text);
  if (typeof parsed === 'string') throw new RangeError(parsed);
  const first = parsed.first ?? 1;
  const last = parsed.last ?? rows;
  if (last > rows || first > last) throw new RangeError(`rows ${text} are outside the ${rows} input rows (1:${rows})`);
  return { begin: first - 1, end: last };
}

/** How users read [begin, end): `first:last`. */
export function formatRowRange(span: RowSpan): string {
  return `${span.begin + 1}:${span.end}`;
}
