// The app runs on wasm, whose fused LayerNorm/GELU kernels the gpt2 model uses: the same reference there.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { initBackend } from '../runtime/backend.js';
import { buildHfModel, readHfFolder } from '../store/hf-folder.js';

const DIR = path.resolve('test/fixtures/hf/tiny-gpt2');

beforeAll(async () => {
  await initBackend('wasm');
});

it('gives the PyTorch reference logits on the wasm backend, prompt and cached decode', async () => {
  expect(tf.getBackend()).toBe('wasm');
  const ref = JSON.parse(readFileSync(path.join(DIR, 'reference.json'), 'utf8')) as { inputs: number[][]; logits: number[][][] };
  const model = await buildHfModel(await readHfFolder(DIR));
  const before = tf.memory().numTensors;
  const ids = ref.inputs[0]!;
  const full = tf.tidy(() => model.apply(tf.tensor2d([ids], [1, ids.length], 'int32'), false));
  const got = (await full.data()) as Float32Array;
  full.dispose();
  const want = ref.logits[0]!.flat();
  expect(Math.max(...want.map((w, i) => Math.abs(w - got[i]!)))).toBeLessThan(1e-4);
  const state = model.createState();
  (model.feed(state, ids.slice(0, -1)) as tf.Tensor).dispose();
  const last = model.feed(state, ids.slice(-1));
  const lastValues = (await last.data()) as Float32Array;
  const wantLast = ref.logits[0]!.at(-1)!;
  expect(Math.max(...wantLast.map((w, i) => Math.abs(w - lastValues[i]!)))).toBeLessThan(1e-4);
  last.dispose();
  state.dispose();
  expect(tf.memory().numTensors).toBe(before);
  model.dispose();
});
