import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { onCpu, randInt, randomValues, rng, kernelModes, useKernelMode, useWasmWithFixes } from '#test/support/kernels.js';

beforeAll(useWasmWithFixes);

/**
 * A tiny attention language model touching every fixed kernel: embedding gather (UnsortedSegmentSum in backprop),
 * split into q/k/v (SplitV), batched q k^T (transposed BatchMatMul), a rank-3 x rank-2 head (broadcast gradient).
 */
async function trainLosses(steps: number): Promise<number[]> {
  const r = rng(1);
  const [vocab, dim, batch, seq] = [11, 8, 3, 5];
  const params = tf.tidy(() => ({
    embed: tf.variable(tf.tensor(randomValues(r, vocab * dim), [vocab, dim])),
    qkv: tf.variable(tf.tensor(randomValues(r, dim * 3 * dim), [dim, 3 * dim])),
    head: tf.variable(tf.tensor(randomValues(r, dim * vocab), [dim, vocab])),
  }));
  const tokens = tf.tensor(Int32Array.from({ length: batch * seq }, () => randInt(r, 0, vocab - 1)), [batch, seq], 'int32');
  const targetIds = Int32Array.from({ length: batch * seq }, () => randInt(r, 0, vocab - 1));
  const targets = tf.tidy(() => tf.oneHot(tf.tensor(targetIds, [batch, seq], 'int32'), vocab));
  const loss = () =>
    tf.tidy(() => {
      const x = tf.gather(params.embed, tokens); // [batch, seq, dim]
      const [q, k, v] = tf.split(tf.matMul(x, params.qkv), 3, 2);
      const attention = tf.softmax(tf.div(tf.matMul(q, k, false, true), Math.sqrt(dim)));
      const h = tf.add(x, tf.matMul(attention, v));
      const logits = tf.matMul(h, params.head); // [batch, seq, vocab]
      return tf.losses.softmaxCrossEntropy(targets, logits) as tf.Scalar;
    });
  const losses: number[] = [];
  const optimizer = tf.train.sgd(0.5);
  for (let i = 0; i < steps; i++) {
    const value = optimizer.minimize(loss, true) as tf.Scalar;
    losses.push((await value.data())[0]);
    value.dispose();
  }
  tf.dispose([tokens, targets, ...Object.values(params)]);
  optimizer.dispose();
  return losses;
}

describe.each(kernelModes)('training through the wasm fixes (%s)', (mode) => {
  beforeAll(() => useKernelMode(mode));

  it('gives the same loss curve as the cpu backend, with a flat tensor count', async () => {
    const before = tf.memory().numTensors;
    const onWasm = await trainLosses(6);
    expect(tf.memory().numTensors).toBe(before);
    const onCpuBackend = await onCpu(() => trainLosses(6));
    expect(onWasm[5]).toBeLessThan(onWasm[0]);
    onWasm.forEach((l, i) => expect(l).toBeCloseTo(onCpuBackend[i], 4));
  });
});
