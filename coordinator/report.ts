// The run report, written atomically as JSON (for tools) and Markdown (for people).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { writeFileAtomic } from '../common/atomic-file.js';
import { describePhases, type Phases } from '../common/timing.js';
import { describeRow, describeVerdict, type Verdict } from '../common/verdict.js';
import type { Failure, Reassignment, WorkerStats } from './run-stats.js';

export interface Verification extends Verdict {
  truth: string; // the truth file
}

export interface RunReport {
  status: 'PASSED' | 'FAILED' | 'UNVERIFIED' | 'ABORTED';
  reason?: string;
  model: { path: string; neurons: number; layers: number; nnz: number; checksum: string }; // checksum: 8 hex digits
  input: string;
  mode: 'shared' | 'streamed';
  rowRange: string; // first:last, 1-based and inclusive
  rows: number; // how many: rowRange's
  // The plan's shards, and the splits that sized them for their workers (shard-size.ts): the run had
  // planned + splits shards, of which `resumed` were finished before (the journal) and `computed` now.
  shards: { planned: number; splits: number; resumed: number; computed: number };
  categories: number;
  wallSeconds: number; // from the first assignment to the last result (this coordinator's part)
  cpuSeconds: number; // the coordinator process's CPU over wallSeconds (all its threads, user + system)
  /** From the start of the run to the verdict, and its parts (describePhases in common/timing.ts). */
  seconds: { total: number; parts: Phases };
  edges: number; // rows computed in this run × nnz
  edgesPerSecond: number; // over wallSeconds
  computeEdgesPerSecond: number; // over the busiest worker's compute seconds
  totalEdgesPerSecond: number; // over the total
  /** Input bytes the workers read (shared mode) or received (streamed mode), and the input file's size. */
  inputBytes: { read: number; file: number };
  workers: Array<WorkerStats & { edgesPerSecond: number }>;
  reassigned: Array<Omit<Reassignment, 'begin' | 'end'> & { rowRange: string }>;
  failures: Failure[];
  rejected: Failure[];
  droppedMessages: number;
  verification?: Verification;
  startedAt: string;
  finishedAt: string;
}

function markdown(r: RunReport): string {
  const fmt = (x: number): string => x.toExponential(3);
  const lines = [
    `# snig run: ${r.status}`,
    '',
    ...(r.reason ? [`**${r.reason}**`, ''] : []),
    `| | |`,
    `|---|---|`,
    `| model | ${r.model.path} (N=${r.model.neurons}, ${r.model.layers} layers, ${r.model.nnz} nnz, checksum ${r.model.checksum}) |`,
    `| input | ${r.input}, rows ${r.rowRange} |`,
    `| mode | ${r.mode} |`,
    `| shards | ${r.shards.planned} planned, ${r.shards.splits} split at assignment (${r.shards.resumed} resumed from the journal, ${r.shards.computed} computed) |`,
    `| categories | ${r.categories} |`,
    `| time | ${describePhases(r.seconds.total, r.seconds.parts)} |`,
    `| shards time | ${r.wallSeconds.toFixed(3)} s from the first assignment to the last result (coordinator CPU ${r.cpuSeconds.toFixed(3)} s) |`,
    `| throughput | ${fmt(r.computeEdgesPerSecond)} edges/s compute, ${fmt(r.edgesPerSecond)} over the shards, ${fmt(r.totalEdgesPerSecond)} total |`,
    `| input read | ${r.inputBytes.read} bytes by the workers (${(r.inputBytes.read / Math.max(1, r.inputBytes.file)).toFixed(2)} × the ${r.inputBytes.file}-byte file) |`,
    `| dropped messages | ${r.droppedMessages} |`,
    '',
  ];
  if (r.verification) {
    const v = r.verification;
    lines.push(`Verification against ${v.truth}: **${v.passed ? 'PASSED' : 'FAILED'}**` +
      (v.passed ? '' : ` (${v.missing.length} rows missing, ${v.extra.length} extra; first missing ${v.missing.slice(0, 10).join(', ') || '-'}, first extra ${v.extra.slice(0, 10).join(', ') || '-'})`), '');
    if (v.certificate) {
      lines.push(describeVerdict(v), '');
      for (const row of v.certificate.rows) lines.push(`- ${describeRow(row)}`);
      lines.push('');
    }
  }
  lines.push(
    '## Workers',
    '',
    '| worker | host | engine | GPUs | shards | rows | start s | calls s | compute s | edges/s | input bytes |',
    '|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const w of r.workers) {
    const cells = [w.name, w.host, w.engine, w.gpus.join(', ') || '-', w.shards, w.rows, w.startSeconds.toFixed(3), w.callSeconds.toFixed(3), w.seconds.toFixed(3), fmt(w.edgesPerSecond), w.inputBytes];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  lines.push('', `## Reassigned shards (${r.reassigned.length})`, '');
  for (const s of r.reassigned) lines.push(`- shard ${s.shard} (rows ${s.rowRange}) from ${s.from}: ${s.reason}`);
  lines.push('', `## Failures (${r.failures.length + r.rejected.length})`, '');
  for (const f of [...r.failures, ...r.rejected]) {
    lines.push(`- ${f.worker}${f.shard !== undefined ? ` shard ${f.shard}` : ''}: ${f.message}${f.afterVerdict ? ' (after the verdict, which stands: every result was in and verified)' : ''}`);
  }
  lines.push('');
  return lines.join('\n');
}

/** The report a finished run left in the output directory, if any (a run that ended unfinished has none worth keeping). */
export function readFinishedReport(dir: string): RunReport | undefined {
  try {
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as RunReport;
    return report.status === 'ABORTED' ? undefined : report;
  } catch {
    return undefined;
  }
}

/** Writes `report.json` and `report.md` in the output directory; returns their paths. */
export function writeReport(dir: string, report: RunReport): { json: string; md: string } {
  const json = join(dir, 'report.json');
  const md = join(dir, 'report.md');
  writeFileAtomic(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileAtomic(md, markdown(report));
  return { json, md };
}
