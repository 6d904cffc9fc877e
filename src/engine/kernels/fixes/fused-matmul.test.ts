import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, randInt, randomValues, referenceMatMul, rng, kernelModes, useKernelMode, useWasmWithFixes } from '#test/support/kernels.js';

beforeAll(useWasmWithFixes);

const activations: Record<string, (x: number, alpha: number) => number> = {
  linear: (x) => x,
  relu: (x) => Math.max(0, x),
  relu6: (x) => Math.min(6, Math.max(0, x)),
  elu: (x) => (x >= 0 ? x : Math.exp(x) - 1),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  leakyrelu: (x, alpha) => (x >= 0 ? x : alpha * x),
  prelu: (x, alpha) => (x >= 0 ? x : alpha * x),
};

describe.each(kernelModes)('wasm _FusedMatMul fix (%s)', (mode) => {
  beforeAll(() => useKernelMode(mode));

  it('matches matmul + bias + activation in float64 over random shapes, transposes, biases and activations', async () => {
    const r = rng(17);
    const names = Object.keys(activations);
    for (let trial = 0; trial < 70; trial++) {
      const batch = r() < 0.5 ? [] : [randInt(r, 1, 3)];
      const [m, k, n] = [randInt(r, 1, 6), randInt(r, 1, 6), randInt(r, 1, 6)];
      const ta = r() < 0.5;
      const tb = r() < 0.5;
      const aShape = [...batch, ...(ta ? [k, m] : [m, k])];
      const bShape = [...(r() < 0.5 ? batch : []), ...(tb ? [n, k] : [k, n])];
      const biasShape = [[], [n], [m, n]][randInt(r, 0, 2)];
      const activation = names[trial % names.length] as tf.fused.Activation;
      const alpha = 0.3;
      const aVals = randomValues(r, aShape.reduce((x, y) => x * y, 1));
      const bVals = randomValues(r, bShape.reduce((x, y) => x * y, 1));
      const biasVals = randomValues(r, biasShape.reduce((x, y) => x * y, 1));
      const product = referenceMatMul(aVals, aShape, bVals, bShape, ta, tb);
      const expected = product.values.map((v, i) => {
        const j = i % n;
        const row = Math.floor(i / n) % m;
        const bias = biasShape.length === 0 ? biasVals[0] : biasShape.length === 1 ? biasVals[j] : biasVals[row * n + j];
        return activations[activation](v + bias, alpha);
      });
      const out = tf.tidy(() =>
        tf.fused.matMul({
          a: tf.tensor(aVals, aShape),
          b: tf.tensor(bVals, bShape),
          transposeA: ta,
          transposeB: tb,
          bias: tf.tensor(biasVals, biasShape),
          activation,
          leakyreluAlpha: alpha,
          preluActivationWeights: activation === 'prelu' ? tf.scalar(alpha) : undefined,
        }),
      );
      const what = `${aShape} x ${bShape} + [${biasShape}] ${activation} ta=${ta} tb=${tb}`;
      expect(out.shape, what).toEqual(product.shape);
      expectClose(await out.data(), expected, 1e-5, what);
      out.dispose();
    }
  });
});
