// What is read from a model folder is checked before use: the JSON files against schemas with ranges, every
// file against the SHA-256 the manifest recorded at save, weights for NaN/Infinity. Each problem is one line
// naming the file (and the field); `inkling check NAME` reports them file by file.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliContext } from '../support/commands.js';
import { runArgv } from '../../src/commands/dispatch.js';
import { loadModel, loadResumeState } from '../../src/engine/store/checkpoint.js';
import { listModels } from '../../src/engine/store/registry.js';
import { runTraining } from '../../src/engine/training/train.js';
import { makeTinyModel, writeCorpus } from '../support/models.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();

let modelsDir: string;
let corpus: string;
let n = 0;

/** A copy of the good model with one file changed; returns its name. */
function broken(file: string, change: (bytes: Buffer) => Buffer | string): string {
  const name = `m${n++}`;
  cpSync(path.join(modelsDir, 'good'), path.join(modelsDir, name), { recursive: true });
  const target = path.join(modelsDir, name, file);
  writeFileSync(target, change(readFileSync(target)));
  return name;
}
const json = (edit: (j: Record<string, unknown>) => unknown) => (bytes: Buffer) => JSON.stringify(edit(JSON.parse(bytes.toString('utf8'))));
const dir = (name: string) => path.join(modelsDir, name);
const dropChecksums = (name: string) => writeFileSync(path.join(dir(name), 'manifest.json'), json((j) => ({ ...j, checksums: undefined }))(readFileSync(path.join(dir(name), 'manifest.json'))));

async function listed(name: string): Promise<string | true> {
  const entry = (await listModels([modelsDir])).find((e) => e.name === name)!;
  return entry.ok ? true : entry.error;
}

beforeAll(async () => {
  modelsDir = tempDir('inkling-verified-');
  corpus = writeCorpus(tempDir());
  await makeTinyModel(modelsDir, 'good', { steps: 2, evalInterval: 2, corpus });
});

describe('weights that changed since the save', () => {
  it.each([
    ['zeros', (b: Buffer) => Buffer.alloc(b.length)],
    ['garbage', (b: Buffer) => Buffer.from(b.map((_, i) => (i * 7919) % 251))],
  ])('weights.bin of the right size filled with %s: listed as broken, refused at load, naming the file', async (_kind, fill) => {
    const name = broken('weights.bin', fill);
    expect(await listed(name)).toBe('weights.bin does not match its checksum in manifest.json (changed or corrupted since it was saved)');
    await expect(loadModel(dir(name))).rejects.toThrow(new RegExp(`^model '${name}': weights.bin does not match its checksum`));
  });

  it('two same-shape weights swapped in model.json are caught by its checksum', async () => {
    const name = broken('model.json', json((j) => {
      const weights = (j.weightsManifest as { weights: { name: string; shape: number[] }[] }[])[0]!.weights;
      const [a, b] = weights.filter((w) => w.shape.join() === weights.find((x, i) => weights.some((y, k) => k !== i && y.shape.join() === x.shape.join()))!.shape.join());
      [a!.name, b!.name] = [b!.name, a!.name];
      return j;
    }));
    expect(await listed(name)).toMatch(/^model.json does not match its checksum/);
    await expect(loadModel(dir(name))).rejects.toThrow(/^model 'm\d+': model.json does not match its checksum/);
  });

  it('a NaN in the weights of a model saved without checksums is refused, naming the file and tensor', async () => {
    const name = broken('weights.bin', (b) => {
      const copy = Buffer.from(b);
      copy.writeFloatLE(NaN, 8);
      return copy;
    });
    dropChecksums(name);
    await expect(loadModel(dir(name))).rejects.toThrow(/^model 'm\d+': weights.bin holds non-finite values \(NaN or Infinity\) in \S+$/);
  });
});

describe('manifest.json is checked against its schema, naming the field', () => {
  it.each([
    ['step -5', (j: Record<string, unknown>) => ({ ...j, step: -5 }), /^manifest.json: step: .*\(got -5\)$/],
    ['step "abc"', (j: Record<string, unknown>) => ({ ...j, step: 'abc' }), /^manifest.json: step: .*\(got "abc"\)$/],
    ['history null', (j: Record<string, unknown>) => ({ ...j, history: null }), /^manifest.json: history: .*\(got null\)$/],
    ['format 2', (j: Record<string, unknown>) => ({ ...j, format: 2 }), /^manifest.json: format: .*\(got 2\)$/],
    ['vocabSize 1e12', (j: Record<string, unknown>) => ({ ...j, config: { ...(j.config as object), vocabSize: 1e12 } }), /^manifest.json: config.vocabSize: .*\(got 1000000000000\)$/],
    ['{}', () => ({}), /^manifest.json: format: /],
    ['a list', () => [1, 2], /^manifest.json: expected object, received array$/],
  ])('%s', async (_case, edit, message) => {
    const name = broken('manifest.json', json(edit));
    expect(await listed(name)).toMatch(message);
    await expect(loadModel(dir(name))).rejects.toThrow(new RegExp(`^model '${name}': ${message.source.slice(1)}`));
  });
});

describe('the optimizer state (what --resume reads)', () => {
  it('optimizer.json with step 1e308 is refused naming the file and field', async () => {
    const name = broken('optimizer.json', json((j) => ({ ...j, step: 1e308 })));
    await expect(loadResumeState(dir(name))).rejects.toThrow(/^model 'm\d+': optimizer.json: step: .*\(got 1e\+308\)$/);
  });

  it('garbage optimizer.bin is refused naming the file; the model still loads for sampling', async () => {
    const name = broken('optimizer.bin', (b) => Buffer.alloc(b.length, 0xff));
    await expect(loadResumeState(dir(name))).rejects.toThrow(/^model 'm\d+': optimizer.bin does not match its checksum/);
    const loaded = await loadModel(dir(name));
    loaded.dispose();
  });
});

describe('--resume with a broken optimizer state', () => {
  const resume = (name: string, resetOptimizer = false) =>
    runTraining({ kind: 'train', name, modelsDir, corpus, arch: 'gpt', tokenizer: 'char', resume: true, steps: 2, ...(resetOptimizer ? { resetOptimizer } : {}) }, () => {}, () => false, 'wasm');

  it('fails in one line suggesting --reset-optimizer, which starts the optimizer fresh from the best weights', async () => {
    const name = broken('optimizer.bin', (b) => Buffer.alloc(b.length, 0x7f));
    await expect(resume(name)).rejects.toThrow(/^model 'm\d+': optimizer.bin does not match its checksum.* — resume with --reset-optimizer to start the optimizer fresh from the best weights$/);
    const result = await resume(name, true);
    expect(result.step).toBe(4);
    const ctx = cliContext(modelsDir);
    expect(await runArgv('check', [name], ctx, 'cli')).toBe('ok');
  });

  it('a deleted optimizer.json says so and suggests the same', async () => {
    const name = broken('optimizer.json', (b) => b);
    const { rmSync } = await import('node:fs');
    rmSync(path.join(dir(name), 'optimizer.json'));
    await expect(resume(name)).rejects.toThrow(/optimizer.* — resume with --reset-optimizer/);
  });

  it('--reset-optimizer without --resume is a usage error', async () => {
    const ctx = cliContext(modelsDir);
    expect(await runArgv('train', ['--name', 'x', '--corpus', corpus, '--reset-optimizer'], ctx, 'cli')).not.toBe('ok');
    expect(ctx.out.errors[0]).toMatch(/--reset-optimizer goes with --resume/);
  });
});

describe('inkling check NAME', () => {
  it('says a healthy model is healthy, file by file', async () => {
    const ctx = cliContext(modelsDir);
    expect(await runArgv('check', ['good'], ctx, 'cli')).toBe('ok');
    const text = ctx.out.text();
    for (const file of ['manifest.json', 'tokenizer.json', 'model.json', 'weights.bin', 'optimizer.json', 'optimizer.bin']) expect(text).toMatch(new RegExp(`^ok\\s+${file.replace('.', '\\.')}\\s`, 'm'));
    expect(text).toMatch(/model good is healthy$/);
  });

  it('names the broken file and fails; a broken optimizer state points at --reset-optimizer', async () => {
    const weights = broken('weights.bin', (b) => Buffer.alloc(b.length));
    const ctx = cliContext(modelsDir);
    expect(await runArgv('check', [weights], ctx, 'cli')).toBe('failed');
    expect(ctx.out.text()).toMatch(/^BAD\s+weights\.bin\s+weights.bin does not match its checksum/m);
    expect(ctx.out.errors).toEqual([`model ${weights} is broken: weights.bin does not match its checksum in manifest.json (changed or corrupted since it was saved)`]);
    const optimizer = broken('optimizer.bin', (b) => b.subarray(0, 10));
    const ctx2 = cliContext(modelsDir);
    expect(await runArgv('check', [optimizer], ctx2, 'cli')).toBe('failed');
    expect(ctx2.out.errors[0]).toMatch(/optimizer state is broken \(optimizer.bin is truncated .*--reset-optimizer$/);
  });

  it('leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    await runArgv('check', ['good'], cliContext(modelsDir), 'cli');
    expect(tf.memory().numTensors).toBe(before);
  });
});
