/**
 * InklingGelu for wasm, inference only: the model's tanh-approximation GELU in its sigmoid form,
 * x * sigmoid(x (A + B x^2)) with A and B from ops/gelu.ts, in one kernel call instead of ~6.
 * No gradient is registered.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { GELU_A as A, GELU_B as B } from '../../ops/gelu.js';
import { type KernelArgs, sizeOf } from '../wasm-internals.js';

export const GELU_KERNEL = 'InklingGelu';

export function geluKernel({ inputs, backend }: KernelArgs): TensorInfo {
  const { x } = inputs;
  if (x.dtype !== 'float32') throw new Error('InklingGelu: x must be float32');
  // Allocate first: a heap growth detaches views taken earlier.
  const out = backend.makeOutput(x.shape, 'float32');
  if (sizeOf(x.shape) === 0) return out;
  const o = backend.typedArrayFromHeap(out) as Float32Array;
  const v = backend.typedArrayFromHeap(x) as Float32Array;
  for (let i = 0; i < v.length; i++) {
    const xi = v[i];
    // exp(-t) overflowing to Infinity gives 0, the right limit.
    o[i] = xi / (1 + Math.exp(-xi * (A + B * xi * xi)));
  }
  return out;
}
