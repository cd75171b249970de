// The table of cluster-vs-infer.sh: per repeat, `snig infer`'s and `snig run`'s totals (process start
// to verdict, as their reports say) and their ratio, each process's wall time from start to exit
// (after its verdict `snig infer` still releases its engine, and a run waits for its workers' exit)
// and their ratio, the medians, each command's parts, and each
// run's timeline: its coordinator's and worker's log lines in seconds from the run's start. A repeat
// where either command exited non-zero is listed with its exit statuses, and left out of the medians
// (its report may be missing, or another run's).
//   node scripts/device/cluster-vs-infer-table.mjs <work> <repeat>
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [work, repeat] = process.argv.slice(2);
const json = (path) => JSON.parse(readFileSync(path, 'utf8'));
const logLines = (path) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
const parts = (p) => Object.entries(p).map(([name, s]) => `${name} ${s.toFixed(3)}`).join(', ');
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const wall = (name) => Number(readFileSync(join(work, `${name}.end`), 'utf8')) - Number(readFileSync(join(work, `${name}.start`), 'utf8'));

const exitStatus = (name) => Number(readFileSync(join(work, `${name}.exit`), 'utf8'));
const rows = [];
const failed = [];
for (let r = 1; r <= Number(repeat); r++) {
  const exits = [exitStatus(`infer-${r}`), exitStatus(`run-${r}`)];
  if (exits.some((status) => status !== 0)) {
    failed.push(`| ${r} | exit ${exits[0]} | exit ${exits[1]} | | | | | FAILED |`);
    continue;
  }
  const infer = json(join(work, `infer-${r}.json`));
  const runDir = join(work, `run-${r}`);
  const run = json(join(runDir, 'report.json'));
  rows.push({ repeat: r, infer: infer.seconds.total, run: run.seconds.total, inferWall: wall(`infer-${r}`), runWall: wall(`run-${r}`), verdicts: `${infer.verdict?.passed ? 'PASSED' : 'FAILED'}/${run.status}` });
  console.log(`run ${r}: snig infer ${infer.seconds.total.toFixed(3)} s (${parts(infer.seconds.parts)})`);
  console.log(`run ${r}: snig run   ${run.seconds.total.toFixed(3)} s (${parts(run.seconds.parts)})`);
  const start = Number(readFileSync(join(work, `run-${r}.start`), 'utf8')) * 1000;
  const workers = readdirSync(join(runDir, 'workers')).map((name) => join(runDir, 'workers', name));
  const events = [join(work, `run-${r}.log`), ...workers]
    .flatMap(logLines)
    .map((e) => ({ at: (Date.parse(e.time) - start) / 1000, what: `${e.role}: ${e.msg}` }))
    .sort((a, b) => a.at - b.at);
  console.log(`run ${r} timeline: ${events.map((e) => `${e.at.toFixed(3)} ${e.what}`).join('; ')}`);
}
console.log('\n| repeat | snig infer total s | snig run, 1 worker, total s | run ÷ infer | infer wall s | run wall s | run ÷ infer, wall | verdicts |');
console.log('|---|---|---|---|---|---|---|---|');
const line = (label, r, verdicts) =>
  `| ${label} | ${r.infer.toFixed(3)} | ${r.run.toFixed(3)} | ${(r.run / r.infer).toFixed(2)} | ${r.inferWall.toFixed(3)} | ${r.runWall.toFixed(3)} | ${(r.runWall / r.inferWall).toFixed(2)} | ${verdicts} |`;
for (const row of rows) console.log(line(row.repeat, row, row.verdicts));
for (const row of failed) console.log(row);
if (rows.length === 0) process.exit(1);
const med = (key) => median(rows.map((row) => row[key]));
console.log(line('median', { infer: med('infer'), run: med('run'), inferWall: med('inferWall'), runWall: med('runWall') }, ''));
