import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { COMMIT, startFakeHub, type FakeHub } from '#test/support/fake-hub.js';
import { pullHfModel, type PullProgress } from './hf-pull.js';
import { importHfModel } from './hf-import.js';
import { loadModel } from './checkpoint.js';
import { listModels } from './registry.js';

const HF = path.resolve('test/fixtures/hf');
const REPO = 'someone/tiny-gpt2';
const CARD = '---\nlicense: mit\nlanguage: en\n---\n# tiny\n';
let hub: FakeHub | null = null;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterEach(async () => {
  await hub?.close();
  hub = null;
});

async function modelsDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'inkling-pull-'));
}

async function visibleModels(dir: string): Promise<string[]> {
  return (await listModels([dir])).map((e) => e.name);
}

/** The reference's last-position logits against the imported model's cached decode. */
async function matchesReference(dir: string, fixture = 'tiny-gpt2'): Promise<number> {
  const ref = JSON.parse(readFileSync(path.join(HF, fixture, 'reference.json'), 'utf8')) as { inputs: number[][]; logits: number[][][] };
  const loaded = await loadModel(dir);
  const state = loaded.model.createState();
  const logits = loaded.model.feed(state, ref.inputs[0]!);
  const got = (await logits.data()) as Float32Array;
  logits.dispose();
  state.dispose();
  loaded.dispose();
  const want = ref.logits[0]!.at(-1)!;
  return Math.max(...want.map((w, i) => Math.abs(w - got[i]!)));
}

/** tiny-llama's files under a config naming an architecture Inkling does not read. */
async function mistralFolder(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'inkling-mistral-'));
  for (const f of await fs.readdir(path.join(HF, 'tiny-llama'))) await fs.copyFile(path.join(HF, 'tiny-llama', f), path.join(dir, f));
  const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'));
  await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify({ ...config, architectures: ['MistralForCausalLM'], model_type: 'mistral' }));
  return dir;
}

describe('pull from a hub on 127.0.0.1', () => {
  it('downloads only the needed files, with progress, token and revision, and makes a model that gives the reference logits', async () => {
    hub = await startFakeHub(REPO, path.join(HF, 'tiny-gpt2'), { extra: { 'README.md': CARD, 'pytorch_model.bin': 'not wanted' } });
    const dir = await modelsDir();
    const progress: PullProgress[] = [];
    const result = await pullHfModel({ repo: REPO, modelsDir: dir, env: { HF_ENDPOINT: hub.url, HF_TOKEN: 'hf_test' }, onProgress: (p) => progress.push(p) });
    expect(result.name).toBe('tiny-gpt2');
    expect(await visibleModels(dir)).toEqual(['tiny-gpt2']);
    expect((await fs.readdir(dir)).filter((f) => f.startsWith('.'))).toEqual([]);
    expect(hub.requests.some((r) => r.url.includes('pytorch_model.bin'))).toBe(false);
    expect(hub.requests.every((r) => r.auth === 'Bearer hf_test')).toBe(true);
    expect(progress.at(-1)!.received).toBe(progress.at(-1)!.total);
    const manifest = JSON.parse(await fs.readFile(path.join(dir, 'tiny-gpt2/manifest.json'), 'utf8'));
    expect(manifest.source).toMatchObject({ repo: REPO, revision: COMMIT, license: 'mit', path: `${hub.url}/${REPO}` });
    expect(manifest.source.config.architectures).toEqual(['GPT2LMHeadModel']);
    expect(manifest.tokenizer).toEqual({ kind: 'bpe', vocabSize: 297 });
    expect(await matchesReference(path.join(dir, 'tiny-gpt2'))).toBeLessThan(1e-4);
  });

  it('resumes an interrupted download with a Range request, showing nothing until it is complete', async () => {
    hub = await startFakeHub(REPO, path.join(HF, 'tiny-gpt2'), { cutOnce: { file: 'model.safetensors', after: 40_000 } });
    const dir = await modelsDir();
    await expect(pullHfModel({ repo: REPO, modelsDir: dir, env: { HF_ENDPOINT: hub.url } })).rejects.toThrow();
    expect(await visibleModels(dir)).toEqual([]);
    const part = await fs.stat(path.join(dir, '.tiny-gpt2.pull.partial/model.safetensors.part'));
    expect(part.size).toBe(40_000);
    await pullHfModel({ repo: REPO, modelsDir: dir, env: { HF_ENDPOINT: hub.url } });
    expect(hub.requests.filter((r) => r.url.endsWith('model.safetensors')).map((r) => r.range)).toEqual([undefined, 'bytes=40000-']);
    expect(await visibleModels(dir)).toEqual(['tiny-gpt2']);
    expect(await matchesReference(path.join(dir, 'tiny-gpt2'))).toBeLessThan(1e-4);
  });

  it('pulls sharded F16 weights through their index', async () => {
    hub = await startFakeHub('openai/tiny-f16', path.join(HF, 'tiny-gpt2-f16'));
    const dir = await modelsDir();
    await pullHfModel({ repo: 'openai/tiny-f16', modelsDir: dir, name: 'f16', env: { HF_ENDPOINT: hub.url } });
    expect(await matchesReference(path.join(dir, 'f16'), 'tiny-gpt2-f16')).toBeLessThan(1e-4);
  });

  it.each([
    ['a truncated file', { truncate: { file: 'model.safetensors', bytes: 1000 } }, /^model\.safetensors is 1000 bytes, the hub lists \d+: run pull again to resume$/],
    ['a wrong size', { wrongSize: { file: 'model.safetensors', size: 100 } }, /^model\.safetensors is \d+ bytes, the hub lists 100$/],
    ['a corrupted file', { corrupt: 'model.safetensors' }, "model.safetensors does not match the hub's sha256: it was deleted, run pull again"],
    ['a missing tokenizer', { hide: ['tokenizer.json', 'vocab.json'] }, `${REPO} has no tokenizer: it needs tokenizer.json, or vocab.json and merges.txt`],
    ['no safetensors', { hide: ['model.safetensors'] }, `${REPO} has no safetensors weights (model.safetensors): Inkling does not read pytorch_model.bin`],
    ['a gated repository', { status: 401 }, `${REPO} needs a token: set HF_TOKEN (the hub answered HTTP 401)`],
    ['an unknown repository', { status: 404 }, `${REPO} was not found on`],
  ])('refuses %s in one line and lists no model', async (_, options, message) => {
    hub = await startFakeHub(REPO, path.join(HF, 'tiny-gpt2'), options);
    const dir = await modelsDir();
    const pull = pullHfModel({ repo: REPO, modelsDir: dir, env: { HF_ENDPOINT: hub.url } });
    await expect(pull).rejects.toThrow(message);
    await pull.catch((error: Error) => expect(error.message).not.toContain('\n'));
    expect(await visibleModels(dir)).toEqual([]);
  });

  it('refuses an unsupported architecture by name before fetching any weights', async () => {
    hub = await startFakeHub('mistral/tiny', await mistralFolder());
    const dir = await modelsDir();
    await expect(pullHfModel({ repo: 'mistral/tiny', modelsDir: dir, env: { HF_ENDPOINT: hub.url } })).rejects.toThrow(
      'config.json: architecture MistralForCausalLM is not supported (Inkling reads GPT2LMHeadModel, LlamaForCausalLM, Qwen2ForCausalLM)',
    );
    expect(hub.requests.some((r) => r.url.includes('safetensors'))).toBe(false);
  });

  it('says in one line that the hub cannot be reached, and how to download elsewhere and import', async () => {
    const dir = await modelsDir();
    // A port that was free a moment ago: nothing listens there.
    const closed = await startFakeHub(REPO, path.join(HF, 'tiny-gpt2'));
    await closed.close();
    const pull = pullHfModel({ repo: 'openai-community/gpt2', modelsDir: dir, env: { HF_ENDPOINT: closed.url } });
    await expect(pull).rejects.toThrow(
      /^could not reach the Hugging Face hub at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\): elsewhere run huggingface-cli download openai-community\/gpt2 --local-dir gpt2, copy gpt2 here, then inkling import gpt2$/,
    );
  });
});

describe('import a local folder', () => {
  it('imports F16 shards and a vocab.json + merges.txt tokenizer, and refuses a second import under the same name', async () => {
    const dir = await modelsDir();
    const result = await importHfModel({ dir: path.join(HF, 'tiny-gpt2-f16'), modelsDir: dir });
    expect(result.name).toBe('tiny-gpt2-f16');
    expect(await matchesReference(result.dir, 'tiny-gpt2-f16')).toBeLessThan(1e-4);
    const manifest = JSON.parse(await fs.readFile(path.join(result.dir, 'manifest.json'), 'utf8'));
    expect(manifest.source).toMatchObject({ repo: null, revision: null, license: null, path: path.join(HF, 'tiny-gpt2-f16') });
    await expect(importHfModel({ dir: path.join(HF, 'tiny-gpt2-f16'), modelsDir: dir })).rejects.toThrow('model tiny-gpt2-f16 already exists: pick another --name');
  });

  it.each(['tiny-llama', 'tiny-llama-untied', 'tiny-qwen2'])('imports the Llama-family %s, which then gives the reference logits', async (fixture) => {
    const dir = await modelsDir();
    const result = await importHfModel({ dir: path.join(HF, fixture), modelsDir: dir });
    expect(await matchesReference(result.dir, fixture)).toBeLessThan(2e-4);
    const manifest = JSON.parse(await fs.readFile(path.join(result.dir, 'manifest.json'), 'utf8'));
    expect(manifest.arch).toBe('llama');
    expect(manifest.source.config.architectures).toEqual(JSON.parse(readFileSync(path.join(HF, fixture, 'config.json'), 'utf8')).architectures);
  });

  it('refuses an unsupported architecture, a folder without a tokenizer and a missing folder, leaving nothing behind', async () => {
    const dir = await modelsDir();
    await expect(importHfModel({ dir: await mistralFolder(), modelsDir: dir })).rejects.toThrow('architecture MistralForCausalLM is not supported');
    const bare = path.join(dir, '..', `bare-${process.pid}`);
    await fs.mkdir(bare, { recursive: true });
    for (const f of ['config.json', 'model.safetensors']) await fs.copyFile(path.join(HF, 'tiny-gpt2', f), path.join(bare, f));
    await expect(importHfModel({ dir: bare, modelsDir: dir })).rejects.toThrow('has no tokenizer: it needs tokenizer.json, or vocab.json and merges.txt');
    await expect(importHfModel({ dir: path.join(dir, 'nowhere'), modelsDir: dir })).rejects.toThrow('is not a folder');
    expect(await fs.readdir(dir)).toEqual([]);
  });
});

describe('the manifest of a pretrained model', () => {
  it('is checked when read: a corrupted source is refused naming the field', async () => {
    const { manifestSchema, parseWith } = await import('./schema.js');
    const dir = await modelsDir();
    const result = await importHfModel({ dir: path.join(HF, 'tiny-gpt2'), modelsDir: dir });
    const manifest = JSON.parse(await fs.readFile(path.join(result.dir, 'manifest.json'), 'utf8'));
    expect(parseWith('manifest.json', manifestSchema, manifest).source?.config).toMatchObject({ model_type: 'gpt2' });
    expect(() => parseWith('manifest.json', manifestSchema, { ...manifest, source: { ...manifest.source, path: 5 } })).toThrow(/^manifest\.json: source\.path: .*\(got 5\)$/);
  });
});
