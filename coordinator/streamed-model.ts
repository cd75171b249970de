// The bytes a streamed-mode coordinator sends: the binary model format (`snig convert`), read as is
// when the configured model already is one, else written once from the loaded model.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';

import { native, type NativeModel } from '../common/native.js';

const BINARY_MAGIC = 'SNIGMDL\0';

function isBinaryModel(path: string): boolean {
  try {
    const fd = openSync(path, 'r');
    try {
      const head = Buffer.alloc(8);
      readSync(fd, head, 0, 8, 0);
      return head.toString('latin1') === BINARY_MAGIC;
    } finally {
      closeSync(fd);
    }
  } catch {
    return false; // a directory (the TSV layout)
  }
}

export async function streamedModelBytes(path: string, model: NativeModel, binaryPath: string): Promise<Buffer> {
  if (isBinaryModel(path)) return readFileSync(path);
  await native().writeModelBinary(model, binaryPath);
  return readFileSync(binaryPath);
}
