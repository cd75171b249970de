// `snig config check`: a run or suite config validated as `snig run` / `snig suite` would take it, and
// the files it names looked for, so that a typo surfaces before an allocation starts. Every problem
// is gathered into one ConfigError naming the file and the field.
import { existsSync } from 'node:fs';

import { ConfigError, loadConfig, readConfigFile, validateConfig } from './load.js';
import type { RunConfig } from './schema.js';
import type { SuiteConfig } from './suite.js';
import { loadSuite } from './suite-load.js';

export type CheckedConfig = { kind: 'run'; config: RunConfig } | { kind: 'suite'; config: SuiteConfig };

/** `field: path does not exist` for each named file that is not there. */
function missingFiles(files: Array<[string, string | undefined]>): string[] {
  return files.filter(([, path]) => path !== undefined && !existsSync(path)).map(([field, path]) => `  ${field}: ${path} does not exist`);
}

function checkRun(file: string, overrides: Array<[string, unknown]>): CheckedConfig {
  const config = loadConfig(file, overrides);
  const missing = missingFiles([['model', config.model], ['input', config.input], ['truth', config.truth]]);
  if (missing.length > 0) throw new ConfigError(`${file}: files not found\n${missing.join('\n')}`);
  return { kind: 'run', config };
}

/** Each benchmark's run config (setup + its files) as `snig suite` will validate it. */
function checkSuite(file: string): CheckedConfig {
  const suite = loadSuite(file);
  const problems: string[] = [];
  for (const [i, benchmark] of suite.benchmarks.entries()) {
    // A generated benchmark's files are made by the suite: stand-ins, only the setup is checked here.
    const files = 'generate' in benchmark ? { model: '(generated)', input: '(generated)' } : { model: benchmark.model, input: benchmark.input, truth: benchmark.truth };
    try {
      validateConfig({ ...structuredClone(suite.setup), ...files, out: suite.out }, `benchmark ${benchmark.name}`);
    } catch (error) {
      problems.push(`  ${(error as Error).message.replaceAll('\n', '\n  ')}`);
    }
    if (!('generate' in benchmark)) {
      problems.push(...missingFiles([[`benchmarks.${i}.model`, benchmark.model], [`benchmarks.${i}.input`, benchmark.input], [`benchmarks.${i}.truth`, benchmark.truth]]));
    }
  }
  if (problems.length > 0) throw new ConfigError(`${file}: invalid suite configuration\n${problems.join('\n')}`);
  return { kind: 'suite', config: suite };
}

/** A run config (with `--set` overrides) or a suite config (it has `benchmarks`), checked whole. */
export function checkConfigFile(file: string, overrides: Array<[string, unknown]> = []): CheckedConfig {
  if (!('benchmarks' in readConfigFile(file))) return checkRun(file, overrides);
  if (overrides.length > 0) throw new ConfigError(`${file}: a suite config takes no --set overrides (edit its setup: section)`);
  return checkSuite(file);
}
