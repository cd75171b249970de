// writeFileAtomic: the data reaches the disk (fsync) before the rename makes it visible, and a failed
// write leaves the old file as it was.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { afterEach, describe, it, mock } from 'node:test';

import { writeFileAtomic } from '../common/atomic-file.js';
import { tempDir } from './helpers.js';

describe('writeFileAtomic', () => {
  afterEach(() => {
    mock.restoreAll();
    syncBuiltinESMExports();
  });

  it('fsyncs the temporary file before renaming it over the target', () => {
    const path = join(tempDir(), 'report.json');
    const calls: string[] = [];
    mock.method(fs, 'fsyncSync', (fd: number) => calls.push(`fsync ${fs.readlinkSync(`/proc/self/fd/${fd}`)}`));
    const rename = fs.renameSync;
    mock.method(fs, 'renameSync', (from: string, to: string) => {
      calls.push(`rename ${from}`);
      rename(from, to);
    });
    syncBuiltinESMExports(); // the module's named imports see the mocks
    writeFileAtomic(path, 'whole');
    const temp = `${path}.tmp-${process.pid}`;
    assert.deepEqual(calls, [`fsync ${temp}`, `rename ${temp}`]);
    assert.equal(fs.readFileSync(path, 'utf8'), 'whole');
  });

  it('leaves the old file, and no temporary file, when the write fails', () => {
    const dir = tempDir();
    const path = join(dir, 'report.json');
    writeFileAtomic(path, 'old');
    mock.method(fs, 'fsyncSync', () => {
      throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
    });
    syncBuiltinESMExports();
    assert.throws(() => writeFileAtomic(path, 'new'), /EIO/);
    assert.equal(fs.readFileSync(path, 'utf8'), 'old');
    assert.deepEqual(fs.readdirSync(dir), ['report.json']);
  });
});
