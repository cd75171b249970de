// How every zod failure is told (configs, key files, flags, wire messages): one line per problem,
// "field.path: message", the field named as the caller's readers know it.
import type { z } from 'zod';

type Path = readonly PropertyKey[];

/** "a.b.0" for a path, "(top level)" for the whole value. */
export function dottedPath(path: Path): string {
  return path.length > 0 ? path.map(String).join('.') : '(top level)';
}

/**
 * One "field: message" line per issue, and per unknown key (named as a field of its own, so that
 * its line can be found); `name` says how a field is named (default: its dotted path).
 */
export function formatIssues(error: z.ZodError, name: (path: Path) => string = dottedPath): string[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys' ? issue.keys.map((key) => `${name([...issue.path, key])}: unknown field`) : [`${name(issue.path)}: ${issue.message}`],
  );
}
