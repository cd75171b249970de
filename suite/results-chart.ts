// results.svg: edges/s per benchmark as bars on a log scale, specified in vega-lite and rendered to
// SVG by vega's headless SVG renderer. vega and vega-lite are imported when a chart is drawn: loaded
// with the CLI they cost every `snig` process (a worker's start included) ~0.8 s.
import type { TopLevelSpec } from 'vega-lite';

import type { SuiteResult } from './result.js';

function chartSpec(title: string, results: readonly SuiteResult[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${title}: edges/s per benchmark`,
    width: Math.max(360, 70 * results.length),
    height: 320,
    data: {
      values: results.map((r) => ({ benchmark: r.benchmark, edgesPerSecond: r.edgesPerSecond, verdict: r.passed ? 'PASSED' : 'FAILED' })),
    },
    encoding: {
      x: { field: 'benchmark', type: 'nominal', sort: null, axis: { labelAngle: -30, title: 'benchmark' } },
      // No stacking: a stack starts at 0, which a log scale cannot show.
      y: { field: 'edgesPerSecond', type: 'quantitative', stack: null, scale: { type: 'log' }, axis: { title: 'edges/s (log scale)', format: '.1e' } },
    },
    layer: [
      {
        mark: { type: 'bar', tooltip: true },
        encoding: {
          color: {
            field: 'verdict',
            type: 'nominal',
            scale: { domain: ['PASSED', 'FAILED'], range: ['#4c78a8', '#e45756'] },
            legend: { title: 'result' },
          },
        },
      },
      // The value above each bar.
      { mark: { type: 'text', dy: -6, fontSize: 10 }, encoding: { text: { field: 'edgesPerSecond', type: 'quantitative', format: '.3s' } } },
    ],
  };
}

/** results.svg's text: the chart of `results`, rendered without a browser. */
export async function resultsSvg(title: string, results: readonly SuiteResult[]): Promise<string> {
  const [{ parse, View }, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new View(parse(compile(chartSpec(title, results)).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
