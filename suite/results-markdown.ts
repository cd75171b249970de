// results.md: the table a user reads (benchmark, rows, nodes, GPUs, seconds, edges/s, PASSED).
import type { SuiteResult } from './result.js';

/** Seconds to the millisecond; edges/s with 4 significant digits (e.g. 1.234e+09). */
export function formatSeconds(seconds: number): string {
  return seconds.toFixed(3);
}

export function formatRate(edgesPerSecond: number): string {
  return edgesPerSecond.toExponential(3);
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

export function resultsMarkdown(title: string, results: readonly SuiteResult[]): string {
  const lines = [
    `# ${title}`,
    '',
    '| benchmark | rows | nodes | GPUs | seconds | edges/s | PASSED |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ...results.map((r) =>
      `| ${cell(r.benchmark)} | ${r.rows} | ${r.nodes} | ${r.gpus} | ${formatSeconds(r.seconds)} | ${formatRate(r.edgesPerSecond)} | ${r.passed ? 'PASSED' : 'FAILED'} |`,
    ),
    '',
  ];
  return lines.join('\n');
}
