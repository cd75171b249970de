// Helpers of the suite and Slurm tests: the `snig` CLI in a child process, and reading back what
// `snig suite` wrote: results.csv rows, and the bars of the SVG chart parsed with xmldom (a real XML
// parser from npm: a malformed SVG fails here).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

import { DOMParser, onErrorStopParsing } from '@xmldom/xmldom';

import { snigCommand } from '../cli/snig-command.js';

const execFileAsync = promisify(execFile);

/** Runs `snig <args>`; resolves with its output and exit code (never rejects on a non-zero exit). */
export async function snig(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ stdout: string; stderr: string; code: number }> {
  const [command, ...base] = snigCommand();
  try {
    const { stdout, stderr } = await execFileAsync(command!, [...base, ...args], { env, maxBuffer: 64 * 1024 * 1024 });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failed = error as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
}

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
  const svg = new DOMParser({ onError: onErrorStopParsing }).parseFromString(readFileSync(path, 'utf8'), 'image/svg+xml');
  const bars = Array.from(svg.getElementsByTagName('path')).filter((path) => path.getAttribute('aria-roledescription') === 'bar');
  return bars.map((bar) => {
    const label = bar.getAttribute('aria-label') ?? '';
    const shape = bar.getAttribute('d') ?? '';
    const fields = Object.fromEntries(label.split('; ').map((part) => part.split(': ') as [string, string]));
    const height = /^M[-\d.e]+,[-\d.e]+h[-\d.e]+v([-\d.e]+)h/.exec(shape);
    if (!height) throw new Error(`bar ${label}: unexpected shape ${shape}`);
    return { benchmark: fields.benchmark!, verdict: fields.verdict!, height: Number(height[1]) };
  });
}
