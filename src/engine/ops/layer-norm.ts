// LayerNorm without bias (nanoGPT's bias=False) over the last axis: the op, its gradient, its kernel
// choice and a float64 reference. The kernels (kernels/decode/layer-norm.ts, decode-block.ts, the SIMD
// layer_norm in kernels/simd/training.wat) take LAYER_NORM_EPSILON from here.
import * as tf from '@tensorflow/tfjs-core';
import { LAYER_NORM_KERNEL } from '../kernels/decode/layer-norm.js';
import { TRAIN_LAYER_NORM } from '../kernels/training/simd-training.js';
import { LARGE, hasKernel, runKernel } from './kernel-choice.js';

/** nanoGPT's and GPT-2's epsilon. */
export const LAYER_NORM_EPSILON = 1e-5;

/**
 * LayerNorm with a hand-written gradient: autodiff through the eight ops costs ~25 backward kernel calls and
 * a saved copy per op input; this saves two tensors.
 */
export function layerNorm(x: tf.Tensor2D, gamma: tf.Tensor1D, training = true): tf.Tensor2D {
  const attrs = { epsilon: LAYER_NORM_EPSILON };
  // Outside training the same ops run bare: a customGrad call costs a scope per use (decode is dispatch-bound).
  if (!training) {
    if (x.size >= LARGE && hasKernel(TRAIN_LAYER_NORM)) return runKernel(TRAIN_LAYER_NORM, { x, gamma }, attrs) as tf.Tensor2D;
    if (hasKernel(LAYER_NORM_KERNEL)) return runKernel(LAYER_NORM_KERNEL, { x, gamma }, attrs) as tf.Tensor2D;
    return tf.mul(normalise(x).normed, gamma);
  }
  // One fused kernel each way where the backend has it (wasm): the composite costs ~20 calls per use.
  if (hasKernel(TRAIN_LAYER_NORM)) return runKernel(TRAIN_LAYER_NORM, { x, gamma }, attrs) as tf.Tensor2D;
  return layerNormOp(x, gamma) as tf.Tensor2D;
}

function normalise(x: tf.Tensor): { normed: tf.Tensor; rstd: tf.Tensor } {
  const centred = tf.sub(x, tf.mean(x, -1, true));
  const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(centred), -1, true), LAYER_NORM_EPSILON));
  return { normed: tf.mul(centred, rstd), rstd };
}

const layerNormOp = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, gamma] = args as tf.Tensor[];
  const save = args[2] as tf.GradSaveFunc;
  const { normed, rstd } = normalise(x);
  save([normed, rstd, gamma]);
  return {
    value: tf.mul(normed, gamma),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xhat, r, g] = saved;
      // dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)), with dxhat = dy * gamma.
      const dxhat = tf.mul(dy, g);
      const dgamma = tf.sum(tf.mul(dy, xhat), 0);
      const along = tf.mul(xhat, tf.mean(tf.mul(dxhat, xhat), -1, true));
      const dx = tf.mul(tf.sub(tf.sub(dxhat, tf.mean(dxhat, -1, true)), along), r);
      return [dx, dgamma];
    },
  };
});

/** Float64 reference for tests: x [rows, C] row-major, gamma [C]. */
export function layerNormReference(x: ArrayLike<number>, C: number, gamma: ArrayLike<number>, epsilon = LAYER_NORM_EPSILON): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < x.length / C; r++) {
    let mean = 0;
    for (let c = 0; c < C; c++) mean += x[r * C + c];
    mean /= C;
    let variance = 0;
    for (let c = 0; c < C; c++) variance += (x[r * C + c] - mean) ** 2;
    const rstd = 1 / Math.sqrt(variance / C + epsilon);
    for (let c = 0; c < C; c++) out[r * C + c] = (x[r * C + c] - mean) * rstd * gamma[c];
  }
  return out;
}
