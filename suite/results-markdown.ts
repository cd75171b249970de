// results.md: the table a user reads (benchmark, rows, nodes, GPUs, the shards' seconds and the total,
// edges/s over each, PASSED).
import type { SuiteResult } from './result.js';

/** Seconds to the millisecond; edges/s with 4 significant digits (e.g. 1.234e+09). */
export function formatSeconds(seconds: number): string {
  return seconds.toFixed(3);
}

/** An edges/s figure as the tables print it (4 significant digits, exponent form). */
export function formatRate(edgesPerSecond: number): string {
  return edgesPerSecond.toExponential(3);
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

/** results.md's text: a title and one table row per result. */
export function resultsMarkdown(title: string, results: readonly SuiteResult[]): string {
  const lines = [
    `# ${title}`,
    '',
    '| benchmark | rows | nodes | GPUs | seconds | total seconds | edges/s | total edges/s | PASSED |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...results.map((r) => {
      const times = `${formatSeconds(r.seconds)} | ${formatSeconds(r.totalSeconds)} | ${formatRate(r.edgesPerSecond)} | ${formatRate(r.totalEdgesPerSecond)}`;
      return `| ${cell(r.benchmark)} | ${r.rows} | ${r.nodes} | ${r.gpus} | ${times} | ${r.passed ? 'PASSED' : 'FAILED'} |`;
    }),
    '',
  ];
  return lines.join('\n');
}
