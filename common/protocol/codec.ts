// Encoding and checked decoding of wire messages: msgpackr (typed arrays kept as typed arrays),
// then the zod schema of the receiving side (the frequent messages first through plain checks that
// accept only what it accepts: fast-accept.ts). Decoding never throws: a bad message is a value.
import { Packr } from 'msgpackr';
import type { z } from 'zod';

import { dottedPath, formatIssues } from '../zod-issues.js';
import { acceptCoordinatorMessage, acceptWorkerMessage } from './fast-accept.js';
import { coordinatorMessageSchema, workerMessageSchema, type CoordinatorMessage, type WorkerMessage } from './messages.js';

const packr = new Packr({ moreTypes: true, useRecords: false });

export type Decoded<T> = { ok: true; message: T } | { ok: false; error: string };

export function encode(message: WorkerMessage | CoordinatorMessage): Buffer {
  return packr.pack(message);
}

function decodeWith<T>(schema: z.ZodType<T>, accept: (value: unknown) => T | undefined, bytes: Uint8Array): Decoded<T> {
  let value: unknown;
  try {
    value = packr.unpack(bytes);
  } catch (error) {
    return { ok: false, error: `not msgpack (${(error as Error).message})` };
  }
  const accepted = accept(value);
  if (accepted !== undefined) return { ok: true, message: accepted };
  const parsed = schema.safeParse(value);
  if (!parsed.success) return { ok: false, error: formatIssues(parsed.error, (path) => (path.length > 0 ? dottedPath(path) : 'message')).join('; ') };
  return { ok: true, message: parsed.data };
}

/** A message a worker sent, as the coordinator receives it. */
export function decodeWorkerMessage(bytes: Uint8Array): Decoded<WorkerMessage> {
  return decodeWith(workerMessageSchema, acceptWorkerMessage, bytes);
}

/** A message the coordinator sent, as a worker receives it. */
export function decodeCoordinatorMessage(bytes: Uint8Array): Decoded<CoordinatorMessage> {
  return decodeWith(coordinatorMessageSchema, acceptCoordinatorMessage, bytes);
}
