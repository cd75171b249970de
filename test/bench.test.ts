// snig-bench, the standalone benchmark binary (native/bench, built with the addon by `npm install`):
// its verdicts, its errors, its fast-table mode, and that a missing GPU is an E_CUDA error, never a crash.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const binary = process.env.SNIG_BENCH ?? join(root, 'build', 'snig-bench');
const data = join(root, 'data', 'hpec-1024');
const real = [
  '--model', join(data, 'neuron1024'),
  '--input', join(data, 'sparse-images-1024-first1200.tsv.gz'),
  '--threads', '2', '--warmup', '0', '--repeat', '1',
];
const scratch = mkdtempSync(join(tmpdir(), 'snig-bench-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function bench(args: string[]) {
  assert.ok(existsSync(binary), `${binary} is missing: build the native targets with npm install`);
  return spawnSync(binary, args, { encoding: 'utf8' });
}

function resultLine(stdout: string): string {
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  assert.ok(line, `no RESULT line in:\n${stdout}`);
  return line;
}

test('the CPU engine on the official 1024x120 network and 1200 images passes against their truth', () => {
  const run = bench([...real, '--engine', 'cpu', '--truth', join(data, 'first1200-l120-categories.tsv')]);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const line = resultLine(run.stdout);
  assert.match(line, /benchmark=n1024-l120 rows=1200 gpus=0 batch=0 bps=0 /);
  assert.match(line, /categories=19 PASSED$/);
});

test('a truth file that differs makes the run FAILED with exit code 1', () => {
  const truth = readFileSync(join(data, 'first1200-l120-categories.tsv'), 'utf8').trim().split('\n');
  const wrong = join(scratch, 'wrong-categories.tsv');
  writeFileSync(wrong, truth.slice(1).join('\n') + '\n');
  const run = bench([...real, '--engine', 'cpu', '--truth', wrong]);
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.match(resultLine(run.stdout), /FAILED$/);
  assert.match(run.stdout, /truth file: 1 mismatching rows/);
});

test('a run nothing checks is UNCHECKED, never PASSED', () => {
  const run = bench(['--generate', '1024', '--layers', '6', '--rows', '100', '--engine', 'cpu', '--threads', '2', '--warmup', '0', '--repeat', '1']);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(resultLine(run.stdout), / UNCHECKED$/);
  assert.match(run.stdout, /check: unchecked/);
});

test('a generated benchmark checked against the CPU engine on a sample passes', () => {
  const run = bench(['--generate', '1024', '--layers', '6', '--rows', '300', '--engine', 'cpu', '--check', 'sample',
    '--sample', '50', '--threads', '2', '--warmup', '0', '--repeat', '2']);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(resultLine(run.stdout), /rows=300 .* PASSED$/);
  assert.match(run.stdout, /sample of 50 rows/);
});

test('lists of launch settings time every combination on the same inputs, each checked against the first', () => {
  const run = bench([...real, '--engine', 'cpu', '--truth', join(data, 'first1200-l120-categories.tsv'), '--batch', '0,400', '--blocks-per-sm', '2,3']);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const lines = run.stdout.split('\n').filter((l) => l.startsWith('RESULT '));
  const settings = lines.map((l) => /batch=(\d+) bps=(\d+) /.exec(l)?.slice(1).join('/'));
  assert.deepEqual(settings, ['0/2', '0/3', '400/2', '400/3']);
  for (const line of lines) assert.match(line, /categories=19 PASSED$/);
});

test('bad options are E_ARGUMENT errors with exit code 2', () => {
  for (const args of [['--bogus'], ['--generate', '1024'], ['--model', 'x', '--generate', '1024', '--layers', '2'],
    ['--model', 'x', '--repeat', 'many'], ['--model', 'x', '--batch', '100,'], ['--model', 'x', '--blocks-per-sm', ''],
    ['--model', 'x', '--input-memory', 'pinned,pageable'], ['--model', 'x', '--input-memory', 'locked'],
    ['--model', 'x', '--engine', 'cpu', '--input-memory', 'pinned']]) {
    const run = bench(args);
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, /^snig-bench: E_ARGUMENT: /);
  }
  // fast-table reads its options the same way: a bad one stops it before any work, named.
  for (const [args, message] of [[['--sizes', '1024,x'], /--sizes expects a number, got "x"/], [['--rows', '6e4'], /--rows expects a number/],
    [['--repeat'], /--repeat needs a value/], [['--bogus', '1'], /unknown option --bogus/]] as const) {
    const run = bench(['fast-table', data, ...args]);
    assert.equal(run.status, 2, `fast-table ${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message);
  }
});

test('the CUDA engine either passes or reports E_CUDA (no GPU or no CUDA build), never crashes', () => {
  const run = bench([...real, '--engine', 'cuda', '--kernel', 'snig', '--truth', join(data, 'first1200-l120-categories.tsv')]);
  if (run.status === 0) {
    assert.match(resultLine(run.stdout), /categories=19 PASSED$/);
  } else {
    assert.equal(run.status, 2, run.stdout + run.stderr);
    assert.match(run.stderr, /^snig-bench: E_CUDA: /m);
  }
});

test('fast-table times the fast pipeline on a GPU, else fails naming CUDA; it never passes without running', () => {
  const run = bench(['fast-table', data, '--sizes', '1024', '--layers', '120', '--rows', '2000', '--repeat', '1', '--truth-max-n', '0']);
  if (run.status === 0) {
    assert.match(run.stdout, /\| official 1024x120, 1200 real images \|.*\| PASSED vs truth, cpu-equal/);
    assert.match(run.stdout, /\| 1024x120 \|.*cpu-equal/);
  } else {
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /^FAILED: .*cuda/im);
    assert.doesNotMatch(run.stdout, /PASSED/);
  }
});
