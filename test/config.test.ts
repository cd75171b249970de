// Run configurations: the examples load, errors name the file and the field, overrides apply.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';

import { ConfigError, loadConfig, parseAssignment, validateConfig } from '../common/config/load.js';
import { newKeyPair, readKeyPair, readPublicKey, writeKeyPair, z85Encode } from '../common/config/keys.js';
import { groupEngine } from '../common/config/schema.js';
import { runOverrides } from '../cli/commands/run-args.js';
import { gpuSubsets } from '../coordinator/launch/gpu-subsets.js';
import { tempDir } from './helpers.js';

const configs = resolve(import.meta.dirname, '../configs');

function tempFile(name: string, text: string): string {
  const path = join(tempDir('snig-config-'), name);
  writeFileSync(path, text);
  return path;
}

describe('run configuration', () => {
  it('loads every cluster example in configs/, with paths relative to the file', () => {
    const files = ['local-cpu.yaml', 'local-gpus.yaml', 'multi-node.yaml'];
    for (const file of files) {
      const config = loadConfig(join(configs, file));
      assert.equal(config.model, resolve(configs, '../data/hpec-1024/neuron1024'), file);
      assert.ok(config.workers.length > 0, file);
    }
  });

  it('fills defaults and reads JSON as well as YAML', () => {
    const path = tempFile('run.json', JSON.stringify({ model: 'm', input: 'i', out: 'o', workers: [{ count: 2 }] }));
    const config = loadConfig(path);
    assert.equal(config.mode, 'shared');
    assert.equal(config.workers[0]!.engine, 'auto');
    assert.equal(config.coordinator.timeoutMs, 10000);
    assert.equal(config.input, join(path, '..', 'i'));
  });

  it('names the file and the field of every error', () => {
    const path = tempFile('bad.yaml', 'model: m\ninput: i\nout: o\nworkers:\n  - count: 0\n    engine: tpu\nmode: both\n');
    assert.throws(() => loadConfig(path), (error: Error) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /bad\.yaml/);
      assert.match(error.message, /workers\.0\.count \(line 5\): /);
      assert.match(error.message, /workers\.0\.engine \(line 6\): /);
      assert.match(error.message, /mode \(line 7\): /);
      return true;
    });
    const json = tempFile('bad.json', '{\n  "model": "m",\n  "input": "i",\n  "out": "o",\n  "workers": [\n    {"count": -2}\n  ]\n}\n');
    assert.throws(() => loadConfig(json), /bad\.json.*workers\.0\.count \(line 6\): /s);
    assert.throws(() => loadConfig(json, [['workers.0', { count: 0 }]]), /workers\.0\.count \(command line\): /, 'a field an override set is not the file\'s');
    assert.throws(() => loadConfig(json, [['nosuch.x', 1]]), /nosuch \(command line\): unknown field/, 'an unknown field a --set made');
    assert.throws(() => loadConfig(path, [['mode', 'shared']]), (error: Error) => /workers\.0\.count \(line 5\)/.test(error.message) && !/mode/.test(error.message));
    assert.throws(() => loadConfig(tempFile('x.yaml', 'model: m\nunknown: 1\ninput: i\nout: o\nworkers: [{}]\n')), /unknown/);
    assert.throws(() => loadConfig(tempFile('y.yaml', 'model: [unclosed\n')), /y\.yaml.*line \d+/s);
    assert.throws(() => loadConfig(tempFile('z.yaml', 'model: m\ninput: i\nout: o\nworkers: [{}]\nsecurity: {curve: true}\n')), /security\.coordinatorKey/);
  });

  it('refuses impossible values with the setting named', () => {
    const base = { model: 'm', input: 'i', out: 'o', workers: [{}] };
    const refused = (extra: Record<string, unknown>, pattern: RegExp): void => {
      assert.throws(() => validateConfig({ ...base, ...extra }, 'test'), (error: Error) => error instanceof ConfigError && pattern.test(error.message), JSON.stringify(extra));
    };
    refused({ coordinator: { heartbeatMs: 2000, timeoutMs: 1500 } }, /coordinator\.heartbeatMs: 2000 must be at most half of coordinator\.timeoutMs \(1500\)/);
    refused({ coordinator: { heartbeatMs: 1000, timeoutMs: 1000 } }, /coordinator\.heartbeatMs/);
    refused({ shards: { maxRows: 8, minRows: 16 } }, /shards\.maxRows: 8 is less than shards\.minRows \(16\)/);
    refused({ coordinator: { maxMessageBytes: 100 } }, /coordinator\.maxMessageBytes/);
    refused({ mode: 'streamed', coordinator: { maxMessageBytes: 1 << 20, chunkBytes: 1 << 20 } }, /coordinator\.chunkBytes: a 1048576-byte model chunk does not fit/);
    assert.equal(validateConfig({ ...base, coordinator: { heartbeatMs: 500, timeoutMs: 1000 }, shards: { maxRows: 16, minRows: 16 } }, 'test').shards.maxRows, 16);
  });

  it('applies CLI overrides over the file, and builds a run from flags alone', () => {
    const overrides = runOverrides({ workers: 3, engine: 'cpu', out: 'runs/x', set: ['coordinator.timeoutMs=2500', 'shards.minRows=4'] });
    const config = loadConfig(join(configs, 'local-cpu.yaml'), overrides);
    assert.equal(config.workers[0]!.count, 3);
    assert.equal(config.coordinator.timeoutMs, 2500);
    assert.equal(config.shards.minRows, 4);
    assert.equal(config.out, resolve('runs/x'));
    const bare = loadConfig(undefined, runOverrides({ model: 'm', input: 'i', truth: 't', bias: -0.3, layers: 120, workers: 3, engine: 'cpu', out: 'o', rowRange: '601:' }));
    assert.deepEqual([bare.bias, bare.layers, bare.workers[0]!.count, bare.workers[0]!.engine, bare.rowRange], [-0.3, 120, 3, 'cpu', '601:']);
    assert.throws(() => loadConfig(undefined, runOverrides({ model: 'm', input: 'i', out: 'o', workers: 1, rowRange: '0:5' })), /rowRange/);
    assert.throws(() => loadConfig(undefined, runOverrides({ model: 'm', out: 'o', workers: 1 })), /command line.*input/s);
    assert.deepEqual(parseAssignment('workers.0.gpus=[0,1]'), ['workers.0.gpus', [0, 1]]);
    assert.throws(() => parseAssignment('novalue'), /field\.path=value/);
  });

  it("gives a worker its group's engine settings and nothing else; a worker of no group, the first manual group's", () => {
    const config = validateConfig({
      model: 'm', input: 'i', out: 'o',
      workers: [{ launch: 'local', count: 1, engine: 'cpu', threads: 2, gpus: [0] }, { launch: 'manual', count: 4, engine: 'cuda', kernel: 'general', inputMemory: 'pageable' }],
    }, 'test');
    assert.deepEqual(groupEngine(config, 0), { engine: 'cpu', threads: 2, kernel: 'auto', weights: 'auto', inputMemory: 'pinned' });
    const manual = { engine: 'cuda', threads: 0, kernel: 'general', weights: 'auto', inputMemory: 'pageable' };
    assert.deepEqual(groupEngine(config, 1), manual);
    assert.deepEqual(groupEngine(config, undefined), manual);
    assert.deepEqual(groupEngine(config, 7), manual);
  });
});

describe('keys', () => {
  it('writes and reads key pairs; public keys come inline or from files', () => {
    const dir = tempDir('snig-keys-');
    const pair = newKeyPair();
    const files = writeKeyPair(dir, 'worker1', pair);
    assert.deepEqual(readKeyPair(files.key), pair);
    assert.equal(readPublicKey(files.pub), pair.public);
    assert.equal(readPublicKey(files.key), pair.public);
    assert.equal(readPublicKey(pair.public), pair.public);
    assert.throws(() => readPublicKey(join(dir, 'missing.pub')), /missing\.pub/);
    assert.throws(() => readKeyPair(files.pub), /worker1\.pub/);
  });

  it('encodes Z85 as RFC 32 says', () => {
    // The RFC's test vector: 8 bytes → "HelloWorld".
    assert.equal(z85Encode(Uint8Array.from([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b])), 'HelloWorld');
  });
});

describe('local launcher GPU split', () => {
  it('gives each worker its own GPUs, or shares them when there are fewer GPUs than workers', () => {
    assert.deepEqual(gpuSubsets([0, 1, 2, 3], 4), [[0], [1], [2], [3]]);
    assert.deepEqual(gpuSubsets([0, 1, 2, 3], 1), [[0, 1, 2, 3]]);
    assert.deepEqual(gpuSubsets([0, 1, 2, 3], 2), [[0, 1], [2, 3]]);
    assert.deepEqual(gpuSubsets([0, 1], 3), [[0], [1], [0]]);
    assert.deepEqual(gpuSubsets([], 2), [[], []]);
  });
});
