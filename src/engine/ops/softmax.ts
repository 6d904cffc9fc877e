// Softmax over the last axis: the op with its kernel choice, and a float64 reference.
import * as tf from '@tensorflow/tfjs-core';
import { TRAIN_SOFTMAX } from '../kernels/training/simd-training.js';
import { hasKernel, runKernel } from './kernel-choice.js';

/** In training, with a one-pass fused gradient where the backend has it (wasm); else tfjs's own. */
export function softmax(x: tf.Tensor, training: boolean): tf.Tensor {
  return training && hasKernel(TRAIN_SOFTMAX) ? runKernel(TRAIN_SOFTMAX, { logits: x }) : tf.softmax(x);
}

/** Float64 reference for tests: x [rows, C] row-major. */
export function softmaxReference(x: ArrayLike<number>, C: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < x.length / C; r++) {
    let max = -Infinity;
    for (let c = 0; c < C; c++) max = Math.max(max, x[r * C + c]);
    let sum = 0;
    for (let c = 0; c < C; c++) sum += (out[r * C + c] = Math.exp(x[r * C + c] - max));
    for (let c = 0; c < C; c++) out[r * C + c] /= sum;
  }
  return out;
}
