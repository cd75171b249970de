// How a config error names a field: its dotted path, and where its value came from, the line of
// the file (a JSON file is read as YAML for this: the positions are the same) or the command line.
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';

import { dottedPath } from '../zod-issues.js';

type Path = readonly PropertyKey[];

/** The 1-based line of the field at `path` in `text`, or of its nearest ancestor in it (none: the top level). */
function fieldLine(text: string, path: Path): number | undefined {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  for (let depth = path.length; depth > 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return ''; // gone since it was read: the error names the field without its line
  }
}

/**
 * Names fields of config `file` for its errors: "workers.0.count (line 5)", or
 * "workers.0.count (command line)" when an override set it, a field above it, or (a field the file
 * lacks) one below it.
 */
export function fieldNamer(file: string | undefined, overridden: readonly string[] = []): (path: Path) => string {
  let text: string | undefined; // read at the first error
  return (path) => {
    const dotted = dottedPath(path);
    if (file === undefined || path.length === 0) return dotted;
    if (overridden.some((field) => dotted === field || dotted.startsWith(`${field}.`))) return `${dotted} (command line)`;
    text ??= readOrEmpty(file);
    const line = fieldLine(text, path);
    if (line !== undefined) return `${dotted} (line ${line})`;
    // Not in the file, but an override set a field below it (`--set nosuch.x=1`: an unknown field `nosuch`).
    return overridden.some((field) => field.startsWith(`${dotted}.`)) ? `${dotted} (command line)` : dotted;
  };
}
