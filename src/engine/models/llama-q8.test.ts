// A Llama-family model decoded with int8 matrices stays close to its float32 self (the fixtures' random
// weights are a hard case: no outliers to spare), through the KV cache, with flat tensor counts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useWasmWithFixes } from '#test/support/kernels.js';
import { LlamaModel } from './llama.js';
import { quantizeModel } from './quantize.js';
import { buildHfModel, readHfFolder } from '../store/hf-folder.js';
import type { LanguageModel } from '../types.js';

const DIR = join(import.meta.dirname, '../../../test/fixtures/hf/tiny-qwen2');

async function loadFloat(): Promise<LlamaModel> {
  return (await buildHfModel(await readHfFolder(DIR))) as LlamaModel;
}

async function logitsOf(model: LanguageModel, ids: number[]): Promise<Float32Array> {
  const state = model.createState();
  const rows: number[] = [];
  for (const id of ids) {
    const l = model.feed(state, [id]);
    rows.push(...(await l.data()));
    l.dispose();
  }
  state.dispose();
  return Float32Array.from(rows);
}

describe('q8 Llama-family model', () => {
  let float: LlamaModel;
  let q8: LanguageModel;
  beforeAll(async () => {
    await useWasmWithFixes();
    float = await loadFloat();
    q8 = await quantizeModel(float);
  });

  it('keeps the logits within 4% of their spread and mostly the same top token', async () => {
    const ids = JSON.parse(readFileSync(join(DIR, 'reference.json'), 'utf8')).inputs[1] as number[];
    const a = await logitsOf(float, ids);
    const before = tf.memory().numTensors;
    const b = await logitsOf(q8, ids);
    expect(tf.memory().numTensors).toBe(before);
    let maxDiff = 0;
    let spread = 0;
    for (let i = 0; i < a.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
      spread = Math.max(spread, Math.abs(a[i]));
    }
    expect(maxDiff / spread).toBeLessThan(0.04);
    const V = q8.config.vocabSize;
    let same = 0;
    for (let t = 0; t < ids.length; t++) {
      const top = (x: Float32Array) => x.subarray(t * V, (t + 1) * V).reduce((best, v, i, arr) => (v > arr[best] ? i : best), 0);
      if (top(a) === top(b)) same++;
    }
    expect(same / ids.length).toBeGreaterThan(0.8);
  });

  it('stores int8 rows (a quarter of the float bytes) and counts parameters as the float model does', () => {
    const bytes = (m: LanguageModel) => m.weights.reduce((n, w) => n + w.variable.size * 4, 0);
    expect(q8.parameterCount()).toBe(float.parameterCount());
    expect(bytes(q8) / bytes(float)).toBeLessThan(0.3);
  });

  it('refuses to quantise twice, and refuses families without q8', async () => {
    await expect(quantizeModel(q8)).rejects.toThrow('already q8');
  });
});
