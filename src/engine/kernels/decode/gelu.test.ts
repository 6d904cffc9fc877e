import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { GptModel } from '../../models/gpt.js';
import { gelu } from '../../ops/gelu.js';
import { TINY_IDS, TINY_VOCAB } from '#test/support/training.js';
import { GELU_KERNEL } from './gelu.js';
import { LAYER_NORM_KERNEL } from './layer-norm.js';
import { expectClose, randInt, randomValues, rng, useWasmWithFixes, fusedAndComposite, withStockKernels } from '#test/support/kernels.js';

beforeAll(useWasmWithFixes);
async function runGelu(x: Float32Array, shape: number[]) {
  const info = await tf.profile(() => tf.tidy(() => gelu(tf.tensor(x, shape), false)));
  const out = info.result as tf.Tensor;
  const values = await out.data();
  expect(out.shape).toEqual(shape);
  out.dispose();
  return { values, kernels: info.kernelNames };
}

/**
 * Logits of feeding a prompt and then a few tokens one by one, then of a batch of two at inference, and the kernels
 * the batch ran (a feed of one sequence runs each block as InklingDecodeBlock where it is registered; batches take
 * the per-op path).
 */
async function feedLogits(model: GptModel): Promise<{ logits: Float32Array[]; kernels: string[] }> {
  const state = model.createState();
  const logits: Float32Array[] = [];
  for (const feed of [TINY_IDS.slice(0, 5), ...TINY_IDS.slice(5, 9).map((t) => [t])]) {
    const out = model.feed(state, feed);
    logits.push(await out.data() as Float32Array);
    out.dispose();
  }
  state.dispose();
  const batch = tf.tensor2d(TINY_IDS.slice(0, 10), [2, 5], 'int32');
  const info = await tf.profile(() => model.apply(batch, false));
  const out = info.result as tf.Tensor;
  logits.push(await out.data() as Float32Array);
  tf.dispose([out, batch]);
  return { logits, kernels: info.kernels.map((k) => k.name) }; // one entry per call
}

describe('wasm InklingGelu', () => {
  it('matches the composite GELU within 1e-5 over random shapes and wide values, in one kernel call', async () => {
    const r = rng(9);
    const shapes = [[1, 1], [1, 64], [2, 3, 16], [5], [3, 4, 5, 2]];
    for (let trial = 0; trial < 12; trial++) shapes.push(Array.from({ length: randInt(r, 1, 3) }, () => randInt(r, 1, 20)));
    for (const shape of shapes) {
      // Up to +-12: covers the saturated tails where exp(-t) overflows.
      const x = randomValues(r, shape.reduce((a, b) => a * b, 1)).map((v) => v * 12);
      const fused = await runGelu(x, shape);
      expect(fused.kernels).toEqual([GELU_KERNEL]);
      const composite = await withStockKernels(() => runGelu(x, shape));
      expect(composite.kernels).not.toContain(GELU_KERNEL);
      expectClose(fused.values, composite.values, 1e-5, `shape ${shape}`);
    }
  });

  it('leaves a tiny GPT\'s feed logits unchanged (1e-5) while cutting its kernel calls', async () => {
    const config = { arch: 'gpt' as const, vocabSize: TINY_VOCAB.length, contextLength: 16, layers: 2, heads: 2, embedding: 32, dropout: 0 };
    const model = new GptModel(config, 4);
    const { fused, composite } = await fusedAndComposite(() => feedLogits(model));
    expect(fused.kernels).toContain(LAYER_NORM_KERNEL);
    expect(fused.kernels).toContain(GELU_KERNEL);
    expect(composite.kernels).not.toContain(LAYER_NORM_KERNEL);
    // 2 layers x 2 LayerNorms + the final one, and a GELU per layer, each replacing several calls.
    expect(fused.kernels.length).toBeLessThan(composite.kernels.length - 20);
    expect(fused.logits.length).toBe(composite.logits.length);
    fused.logits.forEach((l, i) => expectClose(l, composite.logits[i], 1e-5, `feed ${i}`));
    model.dispose();
  });
});
