import { existsSync, mkdirSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupStaleTemp, findModel, lineageTree, listModels, type ModelEntry } from './registry.js';
import type { Manifest } from '../types.js';
import { useTempDir } from '#test/support/temp.js';

const tempDir = useTempDir();

const root = tempDir('inkling-registry-');
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => {
  const d = path.join(root, `models${n++}`);
  mkdirSync(d);
  return d;
};

const VOCAB = ['a', 'b', 'c'];
function manifest(name: string, parent: string | null = null): Manifest {
  return {
    format: 1, name, arch: 'lstm', parent,
    config: { arch: 'lstm', vocabSize: VOCAB.length, embedding: 2, hidden: 2, layers: 1, dropout: 0 },
    tokenizer: { kind: 'char', vocabSize: VOCAB.length },
    train: { batchSize: 1, seqLength: 4 }, corpus: { name: 'x', trainTokens: 1, valTokens: 1 },
    step: 0, bestValLoss: null, history: [], params: 14, backend: 'cpu',
  } as unknown as Manifest;
}

/** A fake model folder: two float32 weights of 3x2 and 2 elements = 32 bytes. */
function fakeModel(modelsDir: string, name: string, opts: { parent?: string; weightBytes?: number } = {}): string {
  const dir = path.join(modelsDir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest(name, opts.parent ?? null)));
  const weights = [
    { name: 'embedding/kernel', shape: [3, 2], dtype: 'float32' },
    { name: 'head/bias', shape: [2], dtype: 'float32' },
  ];
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ format: 'inkling-model/1', arch: 'lstm', config: manifest(name).config, weightsManifest: [{ paths: ['weights.bin'], weights }] }));
  writeFileSync(path.join(dir, 'weights.bin'), Buffer.alloc(opts.weightBytes ?? 32));
  writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify({ kind: 'char', vocab: VOCAB, options: {} }));
  return dir;
}

describe('listModels', () => {
  it('lists healthy models and reports broken ones by name', async () => {
    const dir = freshDir();
    fakeModel(dir, 'good');
    fakeModel(dir, 'truncated', { weightBytes: 20 });
    writeFileSync(path.join(fakeModel(dir, 'badjson'), 'manifest.json'), '{ not json');
    writeFileSync(path.join(fakeModel(dir, 'mismatch'), 'tokenizer.json'), JSON.stringify({ kind: 'char', vocab: ['a', 'b'], options: {} }));
    writeFileSync(path.join(fakeModel(dir, 'badtok'), 'tokenizer.json'), '[]');
    rmSync(path.join(fakeModel(dir, 'noweights'), 'weights.bin'));
    mkdirSync(path.join(dir, 'empty'));
    fakeModel(dir, 'saving.tmp-123');
    fakeModel(dir, '.hidden');
    fakeModel(dir, 'x.partial');
    writeFileSync(path.join(dir, '.gitkeep'), '');

    const entries = await listModels([dir]);
    const byName = Object.fromEntries(entries.map((e) => [e.name, e]));
    expect(Object.keys(byName).sort()).toEqual(['badjson', 'badtok', 'empty', 'good', 'mismatch', 'noweights', 'truncated']);
    expect(byName.good).toMatchObject({ ok: true, shipped: false, dir: path.join(dir, 'good') });
    expect(byName.truncated!.error).toMatch(/truncated \(20 of 32 bytes\)/);
    expect(byName.badjson!.error).toMatch(/manifest.json is not valid JSON/);
    expect(byName.mismatch!.error).toMatch(/tokenizer does not match/);
    expect(byName.badtok!.error).toMatch(/tokenizer.json: not a JSON object/);
    expect(byName.noweights!.error).toMatch(/missing weights.bin/);
    expect(byName.empty!.error).toMatch(/missing manifest.json/);
    for (const e of entries) if (!e.ok) expect(e.error).toMatch(/^[^\n]+$/);
  });

  it('takes the first folder for a duplicated name and tolerates a missing folder', async () => {
    const user = freshDir();
    const other = freshDir();
    fakeModel(user, 'same');
    fakeModel(other, 'same');
    fakeModel(other, 'only-other');
    const entries = await listModels([user, path.join(root, 'does-not-exist'), other]);
    expect(entries.map((e) => [e.name, e.dir])).toEqual([
      ['same', path.join(user, 'same')],
      ['only-other', path.join(other, 'only-other')],
    ]);
  });
});

describe('findModel', () => {
  it('finds the first folder holding the model, else a one-line error', async () => {
    const a = freshDir();
    const b = freshDir();
    fakeModel(b, 'm');
    expect(await findModel([a, b], 'm')).toBe(path.join(b, 'm'));
    await expect(findModel([a, b], 'nope')).rejects.toThrow("model 'nope' not found (inkling models lists them)");
    await expect(findModel([a, b], '../m')).rejects.toThrow(/invalid model name/);
  });
});

describe('cleanupStaleTemp', () => {
  it('removes only stale in-progress folders', async () => {
    const dir = freshDir();
    const old = (p: string) => utimesSync(p, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
    const stale = fakeModel(dir, 'a.tmp-1');
    const stalePartial = fakeModel(dir, 'b.partial');
    const staleDot = fakeModel(dir, '.c-save');
    fakeModel(dir, 'fresh.tmp-2');
    const staleAside = fakeModel(dir, '.keep.old-1-2');
    const lastGoodCopy = fakeModel(dir, '.lost.old-1-2');
    const model = fakeModel(dir, 'keep');
    writeFileSync(path.join(dir, '.gitkeep'), '');
    [stale, stalePartial, staleDot, staleAside, lastGoodCopy, model, path.join(dir, '.gitkeep')].forEach(old);
    const removed = await cleanupStaleTemp(dir);
    expect(removed.sort()).toEqual([staleDot, staleAside, stale, stalePartial].sort());
    expect(existsSync(lastGoodCopy)).toBe(true);
    expect((await listModels([dir])).map((e) => e.name)).toEqual(['keep']);
    expect(await cleanupStaleTemp(path.join(root, 'missing'))).toEqual([]);
  });
});

describe('lineageTree', () => {
  const entry = (name: string, parent: string | null): ModelEntry => ({
    name, dir: `/m/${name}`, shipped: false, ok: true, manifest: manifest(name, parent),
  });
  it('draws parents with their variants indented', () => {
    const lines = lineageTree([
      entry('base', null),
      entry('v1', 'base'),
      entry('v2', 'base'),
      entry('v1a', 'v1'),
      entry('orphan', 'gone'),
      { name: 'broken', dir: '/m/broken', shipped: false, ok: false, error: 'x' },
    ]);
    expect(lines).toEqual(['base', '├─ v1', '│  └─ v1a', '└─ v2', 'orphan']);
  });
  it('shows every model of a parent cycle once', () => {
    expect(lineageTree([entry('a', 'b'), entry('b', 'a')]).map((l) => l.replace(/[└├│─ ]/g, '')).sort()).toEqual(['a', 'b']);
  });
});

describe('with a checkpoint saved by checkpoint.ts', () => {
  it('accepts it, then reports it once the weights are truncated', async () => {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
    const { saveCheckpoint } = await import('./checkpoint.js');
    const { buildTokenizer } = await import('../data/tokenizers/index.js');
    const dir = freshDir();
    const bestWeights = { 'embedding/kernel': tf.zeros([3, 2]), 'head/bias': tf.zeros([5], 'int32') };
    await saveCheckpoint(path.join(dir, 'real'), { manifest: manifest('real'), tokenizer: buildTokenizer('char', ['abc']), bestWeights });
    Object.values(bestWeights).forEach((t) => t.dispose());
    const [entry] = await listModels([dir]);
    expect(entry).toMatchObject({ name: 'real', ok: true });
    truncateSync(path.join(dir, 'real', 'weights.bin'), 10);
    const [broken] = await listModels([dir]);
    expect(broken!.error).toBe('weights.bin is truncated (10 of 44 bytes)');
  });
});
