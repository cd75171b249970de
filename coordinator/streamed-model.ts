// The bytes a streamed-mode coordinator sends: the binary model format (`snig convert`), read as is
// when the configured model already is one, else written once from the loaded model.
import { readFileSync } from 'node:fs';

import { native, type NativeModel } from '../common/native.js';

export async function streamedModelBytes(path: string, model: NativeModel, binaryPath: string): Promise<Buffer> {
  if (native().isBinaryModel(path)) return readFileSync(path);
  await native().writeModelBinary(model, binaryPath);
  return readFileSync(binaryPath);
}
