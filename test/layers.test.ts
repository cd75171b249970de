// The layer rules (README, Layout): cli/ over suite/, suite/ over coordinator/ and worker/, those
// over common/. Product code imports nothing upward, nothing sideways (coordinator ↔ worker), and
// nothing from scripts/ or test/; scripts/ import nothing from test/. Nor does product code name the
// files of a layer it may not import in a string (a path to spawn or read, such as cli/main.ts).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

import { root } from './helpers.js';

/** Folders each product folder may import from (besides itself and packages). */
const ALLOWED: Record<string, readonly string[]> = {
  common: [],
  coordinator: ['common'],
  worker: ['common'],
  suite: ['coordinator', 'worker', 'common'],
  cli: ['suite', 'coordinator', 'worker', 'common'],
  scripts: ['cli', 'suite', 'coordinator', 'worker', 'common'],
};

/** Relative import specifiers of a TypeScript source (static, re-exports and dynamic). */
function importsOf(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)'(\.{1,2}\/[^']+)'/gm)) found.push(match[1]!);
  return found;
}

/** "file → target: why" for every import of `file` (repository-relative) that breaks a rule. */
function violations(file: string, specifiers: readonly string[]): string[] {
  const layer = file.split('/')[0]!;
  const allowed = ALLOWED[layer];
  if (!allowed) return [];
  return specifiers.flatMap((specifier) => {
    const target = relative(root, resolve(root, dirname(file), specifier));
    const top = target.split('/')[0]!;
    if (top === layer || allowed.includes(top)) return [];
    return [`${file} → ${target}: ${layer}/ may import only from ${[layer, ...allowed].join('/, ')}/`];
  });
}

/** Relative paths written in a source's string literals (new URL('../x/y.ts', …), join(…)), imports aside. */
function pathsNamed(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(/['"`]((?:\.\.\/)+[\w${}.-]+\/[^'"`]*)['"`]/g)) found.push(match[1]!);
  return found.filter((path) => !importsOf(source).includes(path));
}

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(dir, name));
}

describe('layers', () => {
  it('finds static, re-exported and dynamic imports', () => {
    const source = "import { a } from '../x.js';\nexport { b } from './y.js';\nimport 'zod';\nconst c = await import('../../z.js');\nimport './side.js';\n";
    assert.deepEqual(importsOf(source), ['../x.js', './y.js', '../../z.js', './side.js']);
  });

  it('names an upward, a sideways and a scripts/ import', () => {
    assert.equal(violations('common/config/load.ts', ['../../coordinator/run.js']).length, 1);
    assert.equal(violations('worker/agent.ts', ['../coordinator/states.js']).length, 1);
    assert.equal(violations('coordinator/run.ts', ['../scripts/launch/local.js', '../common/data.js', './launch/local.js']).length, 1);
    assert.equal(violations('scripts/device/make-models.ts', ['../../test/helpers.js']).length, 1);
    assert.deepEqual(violations('cli/commands/suite.ts', ['../../suite/run-suite.js', '../../common/logger.js']), []);
  });

  it('find paths written in strings, such as a file of cli/ that the coordinator would spawn', () => {
    const source = "const entry = new URL(`../../cli/${name}.ts`, import.meta.url);\nimport { a } from '../x.js';\n";
    assert.deepEqual(pathsNamed(source), ['../../cli/${name}.ts']);
    assert.equal(violations('coordinator/launch/local.ts', pathsNamed(source)).length, 1);
  });

  it('hold for every source outside test/, for paths written in strings too', () => {
    const found = Object.keys(ALLOWED)
      .flatMap(sources)
      .flatMap((file) => violations(file, pathsNamed(readFileSync(join(root, file), 'utf8'))));
    assert.deepEqual(found, []);
  });

  it('hold for every source outside test/', () => {
    const found = Object.keys(ALLOWED)
      .flatMap(sources)
      .flatMap((file) => violations(file, importsOf(readFileSync(join(root, file), 'utf8'))));
    assert.deepEqual(found, []);
  });
});
