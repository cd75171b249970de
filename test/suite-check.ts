// Reading back what `snig suite` wrote, for the suite tests: results.csv rows, and the bars of the
// SVG chart parsed with xmllint (a real XML parser: a malformed SVG fails here).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export function readCsv(path: string): Array<Record<string, string>> {
  const [header, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
  const columns = header!.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((value, i) => [columns[i], value])));
}

export interface Bar {
  benchmark: string;
  verdict: string;
  height: number; // pixels
}

/** The chart's bars; throws when the SVG is not well-formed XML. */
export function svgBars(path: string): Bar[] {
  execFileSync('xmllint', ['--noout', path]);
  const xpath = (attribute: string): string[] =>
    execFileSync('xmllint', ['--xpath', `//*[local-name()="path"][@aria-roledescription="bar"]/@${attribute}`, path], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((line) => /="(.*)"$/.exec(line.trim())![1]!);
  const labels = xpath('aria-label');
  const shapes = xpath('d');
  return labels.map((label, i) => {
    const fields = Object.fromEntries(label.split('; ').map((part) => part.split(': ') as [string, string]));
    const height = /^M[-\d.e]+,[-\d.e]+h[-\d.e]+v([-\d.e]+)h/.exec(shapes[i]!);
    if (!height) throw new Error(`bar ${label}: unexpected shape ${shapes[i]}`);
    return { benchmark: fields.benchmark!, verdict: fields.verdict!, height: Number(height[1]) };
  });
}
