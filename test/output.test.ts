// What a person and a machine read: on a terminal one line per event, a progress bar and the result;
// elsewhere (or --log-format json) JSON lines with ISO times; figures rounded; --quiet keeps only the
// result. Runs `snig infer` on the official sample, under `script` for a real terminal.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

import { roundFigures } from '../common/logger.js';
import { official, root, tempDir } from './helpers.js';
import { snig } from './suite-helpers.js';

const run = promisify(execFile);
const infer = ['infer', '--model', official.model, '--input', official.images, '--truth', official.truth, '--engine', 'cpu'];

describe('command output', () => {
  it('rounds figures to 4 significant digits, integers and nested values included', () => {
    assert.deepEqual(roundFigures({ seconds: 0.123456789, rows: 1200, nested: { rate: 1.2345678e-3, list: [2.00004, 7] }, name: 'x' }), {
      seconds: 0.1235,
      rows: 1200,
      nested: { rate: 0.001235, list: [2, 7] },
      name: 'x',
    });
  });

  it('writes JSON lines with ISO times and rounded figures when not on a terminal', async () => {
    const result = await snig(infer);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stderr.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const loaded = lines.find((line) => line.msg === 'loaded');
    assert.ok(loaded, result.stderr);
    assert.match(String(loaded.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // Seconds are fractions: each at 4 significant digits at most.
    const fractions = Object.values(loaded).filter((value): value is number => typeof value === 'number' && !Number.isInteger(value));
    assert.ok(fractions.length > 0, JSON.stringify(loaded));
    for (const value of fractions) assert.equal(value, Number(value.toPrecision(4)), JSON.stringify(loaded));
  });

  it('--quiet leaves only the result; --log-format pretty gives one line per event', async () => {
    const quiet = await snig([...infer, '--quiet']);
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.equal(quiet.stderr, '');
    assert.match(quiet.stdout, /^categories \d+$/m);
    const pretty = await snig([...infer, '--log-format', 'pretty']);
    assert.match(pretty.stderr, /^\[\d\d:\d\d:\d\d\] INFO: loaded \{"neurons":1024,"layers":120,.*\}\n$/);
  });

  it('snig run on a terminal: a progress bar, one line per event, then the result', async () => {
    const out = tempDir();
    const args = ['run', '--model', official.model, '--input', official.images, '--truth', official.truth, '--workers', '1', '--engine', 'cpu', '--threads', '1', '--out', out];
    const command = [process.execPath, '--import', 'tsx', join(root, 'cli/main.ts'), ...args].map((word) => `'${word}'`).join(' ');
    const pending = run('script', ['-qfec', command, '/dev/null'], { cwd: root, env: { ...process.env, COLUMNS: '120' } });
    pending.child.stdin?.end(); // script ends once its input has ended and the command has exited
    const { stdout } = await pending;
    // Without colours and cursor moves; a move to the first column (a log line written over the bar) starts a line.
    const screen = stdout.replace(/\x1b\[1G/g, '\n').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    assert.match(screen, /snig run \|[█░]+\| \d+% \| \d+\/1200 rows \| 1 workers/);
    const events = screen.split(/\r?\n/).filter((line) => /^\[\d\d:\d\d:\d\d\] (INFO|WARN)/.test(line));
    assert.ok(events.some((line) => / INFO: shards done \{"shards":\d+,"shardsDone":\d+,"shardsTotal":\d+\}$/.test(line)), screen);
    assert.ok(events.every((line) => !line.includes('\n')) && events.length >= 5);
    assert.match(screen, /^PASSED: 19 categories/m);
  });
});
