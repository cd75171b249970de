// Loading a run configuration: YAML or JSON file → overrides from the CLI → zod validation.
// Errors name the file, the field and its line; relative paths in a file are relative to that file.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';

import { formatIssues } from '../zod-issues.js';

import { ConfigError } from './config-error.js';
import { fieldNamer } from './field-names.js';
import { runConfigSchema, type RunConfig } from './schema.js';

export { ConfigError };

/** "<source>: invalid <what>" and one indented line per problem. */
export function invalid(source: string, what: string, error: z.ZodError, name?: (path: readonly PropertyKey[]) => string): ConfigError {
  return new ConfigError(`${source}: invalid ${what}\n${formatIssues(error, name).map((line) => `  ${line}`).join('\n')}`);
}

type Raw = Record<string, unknown>;

const PATH_FIELDS = ['model', 'input', 'truth', 'out'] as const;

function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function resolvePaths(raw: Raw, base: string): void {
  const at = (p: unknown): unknown => (typeof p === 'string' && !isAbsolute(p) ? resolve(base, p) : p);
  for (const field of PATH_FIELDS) if (field in raw) raw[field] = at(raw[field]);
  const security = raw.security;
  if (isRecord(security)) {
    if ('coordinatorKey' in security) security.coordinatorKey = at(security.coordinatorKey);
    if (Array.isArray(security.workerKeys)) {
      // Entries are Z85 keys (40 characters) or key files; only files are paths.
      security.workerKeys = security.workerKeys.map((k: unknown) => (typeof k === 'string' && /\.(pub|key)$/.test(k) ? at(k) : k));
    }
  }
}

/** Reads a YAML or JSON file into a plain object (paths resolved against its directory). */
export function readConfigFile(path: string): Raw {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${path}: cannot read (${(error as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${path}: ${(error as Error).message}`);
  }
  if (!isRecord(raw)) throw new ConfigError(`${path}: the top level must be a mapping of fields`);
  resolvePaths(raw, dirname(resolve(path)));
  return raw;
}

/** Sets `a.b.c` (numeric parts index arrays) in a raw config, creating the objects on the way. */
export function setField(raw: Raw, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let node: Raw | unknown[] = raw;
  parts.forEach((part, i) => {
    const last = i === parts.length - 1;
    const key: string | number = Array.isArray(node) ? Number(part) : part;
    const container = node as Record<string | number, unknown>;
    if (last) {
      container[key] = value;
      return;
    }
    const next = container[key];
    if (typeof next !== 'object' || next === null) {
      container[key] = /^\d+$/.test(parts[i + 1] ?? '') ? [] : {};
    }
    node = container[key] as Raw | unknown[];
  });
}

/** Parses `field.path=value` (the value as a YAML scalar or flow collection: 3, true, [0,1], text). */
export function parseAssignment(assignment: string): [string, unknown] {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new ConfigError(`--set ${assignment}: expected field.path=value`);
  const text = assignment.slice(eq + 1);
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch {
    value = text;
  }
  return [assignment.slice(0, eq), value];
}

/** Validates a raw config; `source` names it in errors (a file, or "command line"), `name` its fields. */
export function validateConfig(raw: Raw, source: string, name?: (path: readonly PropertyKey[]) => string): RunConfig {
  const parsed = runConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw invalid(source, 'run configuration', parsed.error, name);
}

/**
 * The run configuration from a file (or none) with overrides applied in order; override values
 * that are paths are taken relative to the current directory.
 */
export function loadConfig(file: string | undefined, overrides: Array<[string, unknown]> = []): RunConfig {
  const raw = file ? readConfigFile(file) : {};
  for (const [field, value] of overrides) setField(raw, field, value);
  const cwdResolved: Raw = {};
  for (const [field] of overrides) {
    if ((PATH_FIELDS as readonly string[]).includes(field)) cwdResolved[field] = raw[field];
  }
  resolvePaths(cwdResolved, process.cwd());
  Object.assign(raw, cwdResolved);
  return validateConfig(raw, file ?? 'command line', fieldNamer(file, overrides.map(([field]) => field)));
}
