// Tests that need a system service (Slurm, GraphBLAS, network namespaces, root): run by hand on a
// machine without it, they skip with a hint; under CI (CI=true) a missing service fails the run, so
// CI can never go green without running them.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';

export const underCi = ['true', '1'].includes((process.env.CI ?? '').toLowerCase());

/** Whether `command` is on the PATH. */
export function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v "$1"`, 'sh', command], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The commands of `commands` that are not on the PATH. */
export function missingCommands(commands: readonly string[]): string[] {
  return commands.filter((command) => !hasCommand(command));
}

/**
 * The `skip` option of a test that needs `service`: false when nothing is missing, else the hint.
 * Under CI a missing service also registers a failing test that names what is missing.
 * `missing` lists what is absent (empty: the service is there); `hint` says how to get it.
 */
export function requireService(service: string, missing: readonly string[], hint: string): string | false {
  if (missing.length === 0) return false;
  const reason = `${service}: missing ${missing.join(', ')} (${hint})`;
  if (underCi) test(`${service} is available (required under CI)`, () => assert.fail(reason));
  return reason;
}
