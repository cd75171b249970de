// CURVE key pairs for coordinator and workers: `<name>.key` holds the pair (JSON, mode 0600),
// `<name>.pub` the public key alone (Z85, one line) for listing in a run config.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { curveKeyPair } from 'zeromq';
import { z } from 'zod';

import { writeFileAtomic } from '../atomic-file.js';
import { formatIssues } from '../zod-issues.js';
import { ConfigError } from './config-error.js';

const Z85_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';
const z85Key = z.string().refine((text) => text.length === 40 && [...text].every((c) => Z85_ALPHABET.includes(c)), 'a CURVE key is 40 Z85 characters');
const keyPairSchema = z.object({ public: z85Key, secret: z85Key }).strict();

export type KeyPair = z.infer<typeof keyPairSchema>;

/** A fresh CURVE key pair, both keys in Z85. */
export function newKeyPair(): KeyPair {
  const { publicKey, secretKey } = curveKeyPair();
  return { public: publicKey, secret: secretKey };
}

/** The files of key pair `name` in `dir`: the pair (secret) and the public key. */
export function keyPairPaths(dir: string, name: string): { key: string; pub: string } {
  return { key: join(dir, `${name}.key`), pub: join(dir, `${name}.pub`) };
}

/** Writes `<dir>/<name>.key` and `<dir>/<name>.pub`; returns their paths. */
export function writeKeyPair(dir: string, name: string, pair: KeyPair): { key: string; pub: string } {
  const { key, pub } = keyPairPaths(dir, name);
  writeFileAtomic(key, `${JSON.stringify(pair, null, 2)}\n`, 0o600);
  writeFileAtomic(pub, `${pair.public}\n`, 0o644);
  return { key, pub };
}

/** A key pair from a key file (`snig keys`); a file that is not one is a ConfigError naming it. */
export function readKeyPair(path: string): KeyPair {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`${path}: not a key file written by \`snig keys\` (${(error as Error).message})`);
  }
  const parsed = keyPairSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`${path}: ${formatIssues(parsed.error).join('; ')}`);
  return parsed.data;
}

/** A public key given inline (Z85) or as a `.pub`/`.key` file. */
export function readPublicKey(entry: string): string {
  if (z85Key.safeParse(entry).success) return entry;
  if (entry.endsWith('.key')) return readKeyPair(entry).public;
  let text: string;
  try {
    text = readFileSync(entry, 'utf8').trim();
  } catch (error) {
    throw new ConfigError(`${entry}: neither a Z85 key nor a readable key file (${(error as Error).message})`);
  }
  if (!z85Key.safeParse(text).success) throw new ConfigError(`${entry}: does not hold a Z85 public key`);
  return text;
}

/** Z85 (ZeroMQ RFC 32) text of binary key bytes; ZAP hands the handler the 32 raw bytes of a key. */
export function z85Encode(bytes: Uint8Array): string {
  if (bytes.length % 4 !== 0) throw new RangeError('Z85 encodes multiples of 4 bytes');
  let out = '';
  for (let i = 0; i < bytes.length; i += 4) {
    let value = ((bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!) >>> 0;
    let block = '';
    for (let j = 0; j < 5; j++) {
      block = Z85_ALPHABET[value % 85]! + block;
      value = Math.floor(value / 85);
    }
    out += block;
  }
  return out;
}
