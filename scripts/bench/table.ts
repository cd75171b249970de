// Plain-text tables and number formats for benchmark output (also valid Markdown tables, so a
// result can be pasted into docs/performance.md as printed).

export type Cell = string | number;

export function formatSeconds(seconds: number): string {
  return seconds < 0.1 ? seconds.toFixed(4) : seconds.toFixed(3);
}

/** Edges per second as in the challenge's tables, e.g. 1.23e+10. */
export function formatRate(perSecond: number): string {
  return perSecond.toExponential(2);
}

export function formatTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = rows.map((row) => row.map(String));
  const widths = headers.map((header, i) => Math.max(header.length, ...text.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...text.map(line)].join('\n');
}
