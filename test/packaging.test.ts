// What `npm pack` ships and how `npm test` runs: the package carries the built code, the native
// sources and the generator's images, never keys, tests, CI files or models left in the tree; the
// licence named in package.json is there; the timing-sensitive cluster files run one at a time.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

import { root, tempDir, writeText } from './helpers.js';

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { license: string; files: string[]; scripts: Record<string, string> };

describe('packaging', () => {
  it('npm pack ships dist/, native sources and the images, never keys, tests, CI files or stray models', async () => {
    // A copy of package.json in a tree with one file of each kind, so the test does not depend on
    // what happens to lie in the working tree.
    const dir = tempDir();
    copyFileSync(join(root, 'package.json'), join(dir, 'package.json'));
    const tree = [
      'dist/cli/main.js', 'native/CMakeLists.txt', 'native/core/model.cpp', 'native/tests/structure_test.cpp',
      'data/hpec-1024/sparse-images-1024-first1200.tsv.gz', 'data/hpec-1024/neuron1024/n1024-l1.tsv', 'configs/local-cpu.yaml',
      'keys/coordinator.key', 'keys/coordinator.pub', 'test/cli.test.ts', '.ci/run', 'scripts/bench/run.ts', 'neuron1024/n1024-l1.tsv',
      'model.snig', 'out/run/report.json', 'README.md', 'LICENSE',
    ];
    for (const path of tree) writeText(join(dir, path), 'x\n');
    const { stdout } = await run('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], { cwd: dir });
    const shipped = (JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path).sort();
    assert.deepEqual(shipped, [
      'LICENSE', 'README.md', 'configs/local-cpu.yaml', 'data/hpec-1024/sparse-images-1024-first1200.tsv.gz', 'dist/cli/main.js',
      'native/CMakeLists.txt', 'native/core/model.cpp', 'package.json',
    ]);
  });

  it('has the licence package.json names, and git ignores key files', () => {
    assert.equal(pkg.license, 'MIT');
    assert.match(readFileSync(join(root, 'LICENSE'), 'utf8'), /^MIT License\n/);
    const ignored = readFileSync(join(root, '.gitignore'), 'utf8').split('\n');
    assert.ok(ignored.includes('keys/') && ignored.includes('*.key'));
  });

  it('.ci/run installs exactly the README\'s set-up packages, and the service packages apart', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const setUp = /## Set up\n[\s\S]*?\napt-get install ([^\n]+)\n/.exec(readme)?.[1]?.split(' ');
    const ci = readFileSync(join(root, '.ci/run'), 'utf8');
    const list = (name: string): string[] | undefined => new RegExp(`^${name}=\\(([^)]*)\\)$`, 'm').exec(ci)?.[1]?.split(' ');
    assert.ok(setUp, 'README names the set-up packages');
    assert.deepEqual(list('setup_packages'), setUp);
    assert.ok(list('service_packages')?.includes('slurm-wlm') && list('service_packages')?.includes('libgraphblas-dev'));
    assert.ok(!setUp.some((name) => list('service_packages')!.includes(name)));
  });

  it('npm test runs every test file once, the cluster files one at a time', () => {
    const files = (script: string): string[] => pkg.scripts[script]!.split(' ').filter((word) => word.startsWith('test/'));
    assert.match(pkg.scripts.test!, /npm run test:parallel && npm run test:serial/);
    assert.match(pkg.scripts['test:serial']!, /--test-concurrency=1 /);
    const serialGlobs = files('test:serial');
    const all = readdirSync(join(root, 'test')).filter((name) => name.endsWith('.test.ts')).map((name) => `test/${name}`);
    const pattern = (glob: string): RegExp => new RegExp(`^${glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    const serial = all.filter((path) => serialGlobs.some((glob) => pattern(glob).test(path)));
    const exclude = new RegExp(/grep -Ev '([^']+)'/.exec(pkg.scripts['test:parallel']!)![1]!);
    const parallel = all.filter((path) => !exclude.test(path));
    assert.ok(serial.includes('test/cluster.test.ts') && serial.includes('test/slurm.test.ts'));
    assert.deepEqual([...serial, ...parallel].sort(), all.sort(), 'each file in exactly one run');
  });
});
