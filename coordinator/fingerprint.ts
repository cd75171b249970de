// A file's fingerprint, so that `--resume` can tell the journal's inputs from other ones with the
// same row count: size, modification time, and a SHA-256 of the whole file where reading it is cheap
// (up to FULL_HASH_BYTES), else of samples spread over it (then the time must match too).
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';

const FULL_HASH_BYTES = 256 * 1024 * 1024;
const SAMPLES = 64;
const SAMPLE_BYTES = 64 * 1024;

export interface Fingerprint {
  bytes: number;
  mtimeMs: number;
  sha256: string;
  hashed: 'full' | 'sampled';
}

/** The fingerprint of the file at `path`: whole-file SHA-256 up to `fullHashBytes`, sampled beyond. */
export function fingerprint(path: string, fullHashBytes = FULL_HASH_BYTES): Fingerprint {
  const { size, mtimeMs } = statSync(path);
  const hash = createHash('sha256');
  const buffer = Buffer.alloc(Math.min(size, 4 * 1024 * 1024, fullHashBytes) || 1);
  const fd = openSync(path, 'r');
  try {
    const full = size <= fullHashBytes;
    const read = (at: number, length: number): void => {
      for (let done = 0; done < length; ) {
        const n = readSync(fd, buffer, 0, Math.min(buffer.length, length - done), at + done);
        if (n === 0) break;
        hash.update(buffer.subarray(0, n));
        done += n;
      }
    };
    if (full) read(0, size);
    else {
      const sample = Math.min(SAMPLE_BYTES, size);
      for (let i = 0; i < SAMPLES; i++) read(Math.floor(((size - sample) * i) / (SAMPLES - 1)), sample);
    }
    return { bytes: size, mtimeMs, sha256: hash.digest('hex'), hashed: full ? 'full' : 'sampled' };
  } finally {
    closeSync(fd);
  }
}

/** How `now` differs from `then` (undefined: the same file contents, as far as the fingerprint tells). */
export function fingerprintDifference(then: Fingerprint, now: Fingerprint): string | undefined {
  if (then.bytes !== now.bytes) return `${then.bytes} bytes then, ${now.bytes} now`;
  if (then.sha256 !== now.sha256) return `same size, other contents (SHA-256 ${then.sha256.slice(0, 12)}… then, ${now.sha256.slice(0, 12)}… now)`;
  // A sampled hash can miss a change between the samples: the modification time must match too.
  if (then.hashed === 'sampled' && then.mtimeMs !== now.mtimeMs) {
    return `modified since (${new Date(then.mtimeMs).toISOString()} then, ${new Date(now.mtimeMs).toISOString()} now)`;
  }
  return undefined;
}
