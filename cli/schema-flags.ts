// Command-line flags from zod schemas: a command declares its arguments once, as a zod object
// (types, valid values, defaults, help text), and gets from it both its yargs flags and, by parsing
// yargs' result, its typed arguments (z.output). Field `retryDelayMs` is the flag `--retry-delay-ms`.
import { parseArgs } from 'node:util';
import type { CommandModule, Options, PositionalOptions } from 'yargs';
import { z } from 'zod';

import { formatIssues } from '../common/zod-issues.js';

type Shape = Record<string, z.ZodType>;

/** `retryDelayMs` → `retry-delay-ms`. */
function flagName(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** "0,1,3" → [0, 1, 3]; the schema checks the numbers. */
function numberList(text: string | number): number[] {
  return String(text)
    .split(',')
    .filter((part) => part.trim() !== '')
    .map(Number);
}

/** A field's type under its default and optional wrappers (and, for a parsed field, what it parses). */
function unwrap(field: z.ZodType): { inner: z.ZodType; fallback?: unknown; optional: boolean } {
  let inner = field;
  let fallback: unknown;
  let optional = false;
  for (;;) {
    const def = inner.def as { type: string; defaultValue?: unknown; innerType?: z.ZodType; in?: z.ZodType };
    if (def.type === 'default') fallback = def.defaultValue;
    else if (def.type === 'optional') optional = true;
    else if (def.type !== 'pipe') return { inner, fallback, optional };
    inner = def.type === 'pipe' ? def.in! : def.innerType!; // a flag is what the user types: the pipe's input
  }
}

/** The yargs declaration of one field. */
function flag(field: z.ZodType): Options {
  const { inner, fallback, optional } = unwrap(field);
  const describe = field.description;
  const common: Options = { describe, ...(fallback !== undefined ? { default: fallback } : {}), demandOption: !optional && fallback === undefined };
  const def = inner.def as { type: string; element?: z.ZodType };
  switch (def.type) {
    case 'enum':
      return { ...common, type: 'string', choices: (inner as z.ZodEnum).options };
    case 'number':
      return { ...common, type: 'number' };
    case 'boolean':
      return { ...common, type: 'boolean' };
    case 'array':
      if (def.element?.def.type === 'number') return { ...common, type: 'string', coerce: numberList };
      return { ...common, type: 'string', array: true };
    default:
      return { ...common, type: 'string' };
  }
}

/** The yargs flags of every field of `shape`. */
export function flagsOf(shape: Shape): Record<string, Options> {
  return Object.fromEntries(Object.entries(shape).map(([field, schema]) => [flagName(field), flag(schema)]));
}

/** The same fields, each optional and without its default: flags that override a config file. */
export function overrides<S extends Shape>(shape: S): { [K in keyof S]: z.ZodOptional<S[K]> } {
  return Object.fromEntries(
    Object.entries(shape).map(([field, schema]) => {
      // Unwrapped, a field that parses its text (a pipe) would lose its parsing: none is an override yet.
      if ((schema.def as { type: string }).type === 'pipe') throw new TypeError(`overrides: ${field} parses its text; it cannot be unwrapped`);
      return [field, unwrap(schema).inner.optional().describe(schema.description ?? '')];
    }),
  ) as { [K in keyof S]: z.ZodOptional<S[K]> };
}

/** Yargs' arguments checked against the schema; a problem names the flag. */
export function parseFlags<T extends z.ZodObject>(schema: T, argv: Record<string, unknown>): z.output<T> {
  const parsed = schema.safeParse(argv);
  if (parsed.success) return parsed.data;
  const name = (path: readonly PropertyKey[]): string =>
    path.length === 0 ? 'arguments' : `--${flagName(String(path[0]))}${path.length > 1 ? ` (item ${Number(path[1]) + 1})` : ''}`;
  throw new Error(formatIssues(parsed.error, name).join('; '));
}

/**
 * The same arguments read without yargs (node's parseArgs), for a decision taken before the command
 * line's modules load: flags as `defineCommand` declares them, `positionals` filled in order from
 * the words that are no flag's value; undefined when they do not parse. An unknown flag is taken as
 * a boolean rather than refused (yargs refuses it when the command runs).
 */
export function parseFlagsEarly<T extends z.ZodObject>(schema: T, positionals: readonly string[], argv: readonly string[]): z.output<T> | undefined {
  const fields = Object.entries(schema.shape as Shape).map(([field, type]) => ({ field, name: flagName(field), flag: flag(type) }));
  const options = Object.fromEntries(fields.map(({ name, flag }) => [name, { type: flag.type === 'boolean' ? ('boolean' as const) : ('string' as const), multiple: flag.array === true }]));
  const { values, positionals: words } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true });
  const args: Record<string, unknown> = {};
  for (const { field, name, flag } of fields) {
    const value = values[name];
    if (value === undefined) continue;
    args[field] = flag.coerce ? (flag.coerce as (text: unknown) => unknown)(value) : flag.type === 'number' ? Number(value) : value;
  }
  positionals.forEach((field, i) => {
    if (words[i] !== undefined) args[field] = words[i];
  });
  const parsed = schema.safeParse(args);
  return parsed.success ? parsed.data : undefined;
}

/**
 * A command whose arguments are the zod object `args`: its flags come from the schema, and the
 * handler gets the parsed, typed arguments. `positionals` describe the `<name>`/`[name]` words of
 * `command` (their values are checked by the schema like any flag).
 */
export function defineCommand<T extends z.ZodObject>(spec: {
  command: string;
  describe: string;
  args: T;
  positionals?: Record<string, PositionalOptions>;
  /** [command line, what it does] pairs for --help. */
  examples?: Array<[string, string]>;
  handler: (args: z.output<T>) => Promise<void> | void;
}): CommandModule {
  const positional = new Set(Object.keys(spec.positionals ?? {}));
  const flags = Object.fromEntries(Object.entries(spec.args.shape as Shape).filter(([field]) => !positional.has(field)));
  return {
    command: spec.command,
    describe: spec.describe,
    builder: (yargs) => {
      for (const [name, options] of Object.entries(spec.positionals ?? {})) yargs.positional(name, options);
      for (const [line, what] of spec.examples ?? []) yargs.example(line, what);
      return yargs.options(flagsOf(flags));
    },
    handler: (argv) => spec.handler(parseFlags(spec.args, argv)),
  };
}
