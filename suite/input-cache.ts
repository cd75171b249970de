// Generated benchmark inputs, made once and kept in a cache directory keyed by the generator's
// parameters: <cache>/n<N>-l<L>-r<rows>-s<seed>-<hash>/ holding the files and manifest.json.
// An entry appears whole or not at all (generated in a temporary directory, then renamed).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { writeFileAtomic } from '../common/atomic-file.js';
import type { GeneratorParams } from '../common/config/generator.js';

/** Files of a generated benchmark, as absolute paths. */
export interface GeneratedFiles {
  model: string;
  input: string;
  truth: string;
}

/** Makes the files for `params` inside `dir` (an empty directory) and says where they are. */
export type Generate = (params: GeneratorParams, dir: string) => Promise<GeneratedFiles>;

interface Manifest {
  params: GeneratorParams;
  files: GeneratedFiles; // relative to the entry
}

/** Bumped whenever the generator's output for the same parameters changes (2: truth from the true float64 engine). */
const GENERATOR_REVISION = 2;

/** The cache directory name of a generated set: readable parameters and a hash of all of them. */
export function cacheKey(params: GeneratorParams): string {
  const { neurons, layers, rows, seed, bias, structure, fanIn, randomWeights, survive } = params;
  // A RadiX-Net's key is what it was before random networks existed: their parameters do not change its files.
  const random = structure === 'random' ? [structure, fanIn.min, fanIn.max, randomWeights, survive.min, survive.max] : [];
  const canonical = JSON.stringify([GENERATOR_REVISION, neurons, layers, rows, seed, bias ?? null, ...random]);
  const hash = createHash('sha256').update(canonical).digest('hex').slice(0, 12);
  return `n${params.neurons}-l${params.layers}-r${params.rows}-s${params.seed}-${hash}`;
}

export interface CachedInputs extends GeneratedFiles {
  /** True when this call generated them, false when they came from the cache. */
  generated: boolean;
}

/** The set generated with `params`, from the cache, or made by `generate` into it (then `generated` is true). */
export async function cachedInputs(cache: string, params: GeneratorParams, generate: Generate): Promise<CachedInputs> {
  const entry = join(cache, cacheKey(params));
  const manifestPath = join(entry, 'manifest.json');
  if (existsSync(manifestPath)) return { ...readManifest(entry, manifestPath), generated: false };

  mkdirSync(cache, { recursive: true });
  const temp = `${entry}.tmp-${process.pid}`;
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(temp);
  try {
    const files = await generate(params, temp);
    const relative = (path: string): string => {
      if (!path.startsWith(`${temp}/`)) throw new Error(`generator wrote ${path} outside its directory ${temp}`);
      return path.slice(temp.length + 1);
    };
    const manifest: Manifest = { params, files: { model: relative(files.model), input: relative(files.input), truth: relative(files.truth) } };
    writeFileAtomic(join(temp, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`); // on the disk before the entry is
    renameSync(temp, entry);
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    // Another suite finished the same entry first: theirs is as good as ours.
    if (!existsSync(manifestPath)) throw error;
  }
  return { ...readManifest(entry, manifestPath), generated: true };
}

function readManifest(entry: string, path: string): GeneratedFiles {
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  return { model: join(entry, manifest.files.model), input: join(entry, manifest.files.input), truth: join(entry, manifest.files.truth) };
}
