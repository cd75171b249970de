// Loading a suite config (YAML or JSON): zod validation with errors naming the file, the field and its line;
// relative paths are relative to the suite file.
import { isAbsolute, resolve, dirname } from 'node:path';

import { fieldNamer } from './field-names.js';
import { invalid, readConfigFile } from './load.js';
import { suiteConfigSchema, type SuiteConfig } from './suite.js';

/** A suite config from its file, checked (errors name the file, field and line), its paths resolved against the file. */
export function loadSuite(file: string): SuiteConfig {
  const raw = readConfigFile(file); // also resolves `out`
  const parsed = suiteConfigSchema.safeParse(raw);
  if (!parsed.success) throw invalid(file, 'suite configuration', parsed.error, fieldNamer(file));
  const base = dirname(resolve(file));
  const at = (path: string): string => (isAbsolute(path) ? path : resolve(base, path));
  const suite = parsed.data;
  return {
    ...suite,
    cache: at(suite.cache),
    benchmarks: suite.benchmarks.map((b) => ('generate' in b ? b : { ...b, model: at(b.model), input: at(b.input), truth: at(b.truth) })),
  };
}
