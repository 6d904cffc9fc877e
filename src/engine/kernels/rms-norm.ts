/**
 * RMSNorm over the last axis in one kernel call (wasm): y = x / sqrt(mean(x^2) + eps) * weight. The composite op
 * is five calls per use, twice a layer (ops/rms-norm.ts chooses). The gradient is written with tfjs ops from the
 * saved input: training through it is rarer than prompts, and correct everywhere.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { type KernelArgs, sizeOf } from './wasm-internals.js';

export const RMS_NORM = 'InklingRmsNorm';

function rmsNormKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { x, weight } = inputs;
  const D = x.shape[x.shape.length - 1] ?? 1;
  if (x.dtype !== 'float32' || weight.dtype !== 'float32' || sizeOf(weight.shape) !== D) throw new Error(`${RMS_NORM}: x must be float32 [..., ${D}] and weight [${D}]`);
  const eps = Number(attrs?.epsilon);
  const out = backend.makeOutput(x.shape, 'float32');
  const n = sizeOf(x.shape);
  if (n === 0) return out;
  const o = backend.typedArrayFromHeap(out) as Float32Array;
  const v = backend.typedArrayFromHeap(x) as Float32Array;
  const w = backend.typedArrayFromHeap(weight) as Float32Array;
  for (let base = 0; base < n; base += D) {
    let squares = 0;
    for (let i = 0; i < D; i++) squares += v[base + i] * v[base + i];
    // float32 like the composite ops: mean, add eps, rsqrt
    const r = Math.fround(1 / Math.sqrt(Math.fround(Math.fround(squares / D) + eps)));
    for (let i = 0; i < D; i++) o[base + i] = Math.fround(v[base + i] * r) * w[i];
  }
  return out;
}

export const RMS_NORM_KERNELS = { [RMS_NORM]: rmsNormKernel };

tf.registerGradient({
  kernelName: RMS_NORM,
  inputsToSave: ['x', 'weight'],
  gradFunc: (dy, saved, attrs) => {
    const [x, weight] = saved;
    const D = x.shape[x.shape.length - 1]!;
    // r = (mean(x^2) + eps)^-1/2; dx = r g - x r^3 mean(g x) with g = dy weight; dweight = sum over rows of dy x r
    const r = tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), Number(attrs.epsilon)));
    return {
      x: () => {
        const g = tf.mul(dy as tf.Tensor, weight);
        const along = tf.mul(tf.mul(x, tf.pow(r, 3)), tf.mean(tf.mul(g, x), -1, true));
        return tf.sub(tf.mul(g, r), along);
      },
      weight: () => tf.reshape(tf.sum(tf.reshape(tf.mul(dy as tf.Tensor, tf.mul(x, r)), [-1, D]), 0), weight.shape),
    };
  },
});
