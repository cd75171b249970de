// Flags from zod schemas (cli/schema-flags.ts): one declaration of the engine options gives the
// flags of infer, run and worker, their types and defaults, and the run config's worker groups.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Options } from 'yargs';
import { z } from 'zod';

import { engineOverrides, workerArgs } from '../cli/commands/worker.js';
import { flagsOf, overrides, parseFlags } from '../cli/schema-flags.js';
import { generatorShape } from '../common/config/generator.js';
import { workerGroupSchema } from '../common/config/schema.js';
import { engineOptionsSchema, engineOptionsShape, KERNELS, withOverrides } from '../common/engine-options.js';

describe('flags from schemas', () => {
  const flags = flagsOf(engineOptionsShape);
  const coerce = (flag: Options | undefined, text: string): unknown => (flag?.coerce as (value: string) => unknown)(text);

  it('carry the valid values, defaults and help of every engine option', () => {
    assert.deepEqual(flags.kernel?.choices, KERNELS);
    assert.equal(flags.kernel?.default, 'auto');
    assert.equal(flags.threads?.type, 'number');
    assert.equal(flags.threads?.default, 0);
    assert.equal(flags.gpus?.demandOption, false);
    assert.equal(flags.gpus?.default, undefined);
    assert.match(String(flags.weights?.describe), /resident/);
    assert.deepEqual(coerce(flags.gpus, '0,2'), [0, 2]);
  });

  it('name fields as flags: retryDelayMs is --retry-delay-ms', () => {
    assert.deepEqual(Object.keys(flagsOf({ retryDelayMs: z.number() })), ['retry-delay-ms']);
  });

  it('as overrides, leave out what was not given instead of applying the default', () => {
    const schema = z.object(overrides(engineOptionsShape));
    assert.deepEqual(parseFlags(schema, { kernel: 'snig' }), { kernel: 'snig' });
    const base = engineOptionsSchema.parse({ engine: 'cuda', weights: 'streamed' });
    assert.deepEqual(withOverrides(base, { kernel: 'snig', weights: undefined }), { engine: 'cuda', threads: 0, kernel: 'snig', weights: 'streamed', inputMemory: 'pinned' });
  });

  it('snig worker hands every engine flag on as an override (--input-memory too), and nothing else', () => {
    const args = parseFlags(workerArgs, { connect: 'tcp://h:1', inputMemory: 'pageable', gpus: [1], prefetch: 3 });
    assert.deepEqual(engineOverrides(args), { inputMemory: 'pageable', gpus: [1] });
  });

  it('of a field that parses its text: the flag is the text, with its default; the value is parsed; no override unwraps it', () => {
    const { fanIn } = generatorShape;
    assert.deepEqual(flagsOf({ fanIn })['fan-in'], { describe: fanIn.description, default: '32', demandOption: false, type: 'string' });
    assert.deepEqual(parseFlags(z.object({ fanIn }), { fanIn: '8-48' }), { fanIn: { min: 8, max: 48 } });
    assert.throws(() => parseFlags(z.object({ fanIn }), { fanIn: 'many' }), /^Error: --fan-in: a number or a range A-B, not "many"$/);
    assert.throws(() => overrides({ fanIn }), /fanIn parses its text/);
  });

  it('refuse a bad value naming the flag and the item', () => {
    const schema = z.object(engineOptionsShape);
    assert.throws(() => parseFlags(schema, { kernel: 'turbo' }), /^Error: --kernel: /);
    assert.throws(() => parseFlags(schema, { gpus: [0, Number.NaN] }), /--gpus \(item 2\)/);
  });

  it('are the same options in a run config: a worker group refuses an unknown kernel, and has weights', () => {
    assert.equal(workerGroupSchema.safeParse({ kernel: 'turbo' }).success, false);
    assert.equal(workerGroupSchema.parse({ weights: 'partitioned' }).weights, 'partitioned');
  });
});
