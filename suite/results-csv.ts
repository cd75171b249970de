// results.csv: one line per benchmark, full-precision numbers (they equal the run reports' values).
import { RESULT_COLUMNS, type SuiteResult } from './result.js';

function csvField(value: string | number | boolean): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** results.csv's text: a header, then one line per result. */
export function resultsCsv(results: readonly SuiteResult[]): string {
  const lines = [RESULT_COLUMNS.join(',')];
  for (const result of results) lines.push(RESULT_COLUMNS.map((column) => csvField(result[column])).join(','));
  return `${lines.join('\n')}\n`;
}
