/**
 * InklingLayerNorm for wasm, inference only: LayerNorm without bias over the last axis, (x - mean) * rstd * gamma,
 * in one kernel call instead of ~8 (sampling is dispatch-bound). Inputs x [..., C] and gamma [C]; attr epsilon.
 * Statistics are accumulated in float64 on the heap views; no gradient is registered.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { LAYER_NORM_EPSILON } from '../../ops/layer-norm.js';
import { type KernelArgs, sizeOf } from '../wasm-internals.js';

export const LAYER_NORM_KERNEL = 'InklingLayerNorm';

export function layerNormKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { x, gamma } = inputs;
  const epsilon = Number(attrs?.epsilon ?? LAYER_NORM_EPSILON);
  const C = x.shape[x.shape.length - 1] ?? 1;
  if (x.dtype !== 'float32' || gamma.dtype !== 'float32') throw new Error('InklingLayerNorm: x and gamma must be float32');
  if (gamma.shape.length !== 1 || gamma.shape[0] !== C) throw new Error(`InklingLayerNorm: gamma shape ${gamma.shape} must be [${C}]`);
  // Allocate first: a heap growth detaches views taken earlier.
  const out = backend.makeOutput(x.shape, 'float32');
  const size = sizeOf(x.shape);
  if (size === 0) return out;
  const o = backend.typedArrayFromHeap(out) as Float32Array;
  const v = backend.typedArrayFromHeap(x) as Float32Array;
  const g = backend.typedArrayFromHeap(gamma) as Float32Array;
  normaliseRows(o, v, g, size / C, C, epsilon);
  return out;
}

function normaliseRows(o: Float32Array, v: Float32Array, g: Float32Array, rows: number, C: number, epsilon: number): void {
  for (let r = 0; r < rows; r++) {
    const base = r * C;
    let sum = 0;
    for (let j = 0; j < C; j++) sum += v[base + j];
    const mean = sum / C;
    let sq = 0;
    for (let j = 0; j < C; j++) {
      const d = v[base + j] - mean;
      sq += d * d;
    }
    const rstd = 1 / Math.sqrt(sq / C + epsilon);
    for (let j = 0; j < C; j++) o[base + j] = (v[base + j] - mean) * rstd * g[j];
  }
}
