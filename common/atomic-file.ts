// Files written whole or not at all: a temporary name in the same directory, flushed to the disk
// (fsync), then renamed over the target, as the C++ writer does (native/core/atomic_file.cpp). A crash
// leaves the old file or the new one, never a torn or empty one.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Writes `data` to `path` whole or not at all (creating its directory); `mode` is the new file's permissions. */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.tmp-${process.pid}`;
  try {
    const fd = openSync(temp, 'w', mode);
    try {
      writeFileSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
