// RMSNorm over the last axis (Llama's LlamaRMSNorm): the op with its kernel choice, and a float64 reference.
import * as tf from '@tensorflow/tfjs-core';
import { RMS_NORM } from '../kernels/rms-norm.js';
import { hasKernel, runKernel } from './kernel-choice.js';

/** x / sqrt(mean(x^2) + eps) * weight; one kernel call where the backend has it (wasm). */
export function rmsNorm(x: tf.Tensor2D, weight: tf.Tensor, eps: number): tf.Tensor2D {
  if (hasKernel(RMS_NORM)) return runKernel(RMS_NORM, { x, weight }, { epsilon: eps }) as tf.Tensor2D;
  return rmsNormComposite(x, weight, eps);
}

/** The same as composite ops (other backends, and the kernel's check in tests). */
export function rmsNormComposite(x: tf.Tensor2D, weight: tf.Tensor, eps: number): tf.Tensor2D {
  const variance = tf.mean(tf.square(x), -1, true);
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(variance, eps))), weight) as tf.Tensor2D;
}

/** Float64 reference for tests: x [rows, D] row-major. */
export function rmsNormReference(x: ArrayLike<number>, D: number, weight: ArrayLike<number>, eps: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < x.length / D; r++) {
    let squares = 0;
    for (let i = 0; i < D; i++) squares += x[r * D + i] ** 2;
    const scale = 1 / Math.sqrt(squares / D + eps);
    for (let i = 0; i < D; i++) out[r * D + i] = x[r * D + i] * scale * weight[i];
  }
  return out;
}
