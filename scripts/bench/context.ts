// The line every benchmark prints first: machine, load, commit and date, as the performance log
// (docs/performance.md) records them. The load average says whether other work shared the cores.
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';

import { repoRoot } from './data.js';

function commit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repoRoot, encoding: 'utf8' }) !== '';
    return dirty ? `${sha} (+ uncommitted changes)` : sha;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

export function runContext(): string {
  const cores = cpus();
  const load = loadavg().map((value) => value.toFixed(2)).join(' ');
  return `machine: ${cores[0]?.model ?? 'unknown CPU'}, ${cores.length} hardware threads, load average ${load}\n` +
    `commit ${commit()}, ${new Date().toISOString()}`;
}
