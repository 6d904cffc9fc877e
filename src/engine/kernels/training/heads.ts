/**
 * Attention heads for wasm training: qkv [B*T, 3*H*hs] (each third head-major) to q (scaled), k, v [B, H, T, hs]
 * in one SIMD pass (simd/layout.wat), and the gradient back in one, instead of a rank-4 Transpose, a SplitV and a
 * scaling forward and a Concat, a Transpose and a scaling backward (bench/RESULTS.md has the gain). hs % 4 === 0.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { at, ifSimd, simd } from './simd-training.js';
import { type KernelArgs, sizeOf } from '../wasm-internals.js';

/** inputs qkv [B*T, 3*H*hs]; attrs B, T, H, scale -> [q * scale, k, v], each [B, H, T, hs]. */
export const SPLIT_HEADS = 'InklingTrainSplitHeads';
/** inputs dq, dk, dv [B, H, T, hs]; attrs B, T, H, scale -> dqkv [B*T, 3*H*hs]. */
export const JOIN_HEADS = 'InklingTrainJoinHeads';

function dims(kernel: string, attrs: NamedAttrMap | undefined, size: number): { B: number; T: number; H: number; hs: number; scale: number } {
  const [B, T, H, scale] = [attrs?.B, attrs?.T, attrs?.H, attrs?.scale].map(Number);
  const hs = size / (3 * B * T * H);
  if (![B, T, H, hs].every((n) => Number.isInteger(n) && n > 0) || hs % 4 !== 0) {
    throw new Error(`${kernel}: ${size} values do not split into B ${B} x T ${T} x 3 x H ${H} heads of a size divisible by 4`);
  }
  return { B, T, H, hs, scale };
}

function splitHeadsKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const { qkv } = inputs;
  if (qkv.dtype !== 'float32') throw new Error(`${SPLIT_HEADS}: qkv must be float32`);
  const { B, T, H, hs, scale } = dims(SPLIT_HEADS, attrs, sizeOf(qkv.shape));
  const [q, k, v] = [0, 1, 2].map(() => backend.makeOutput([B, H, T, hs], 'float32'));
  simd(backend).split_qkv(at(backend, qkv), at(backend, q), at(backend, k), at(backend, v), B, T, H, hs, scale);
  return [q, k, v];
}

function joinHeadsKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { dq, dk, dv } = inputs;
  for (const t of [dq, dk, dv]) if (t.dtype !== 'float32') throw new Error(`${JOIN_HEADS}: gradients must be float32`);
  const { B, T, H, hs, scale } = dims(JOIN_HEADS, attrs, 3 * sizeOf(dq.shape));
  if (sizeOf(dk.shape) !== sizeOf(dq.shape) || sizeOf(dv.shape) !== sizeOf(dq.shape)) throw new Error(`${JOIN_HEADS}: dq, dk, dv differ in size`);
  const out = backend.makeOutput([B * T, 3 * H * hs], 'float32');
  simd(backend).join_qkv(at(backend, dq), at(backend, dk), at(backend, dv), at(backend, out), B, T, H, hs, scale);
  return out;
}

export const HEADS_KERNELS = ifSimd({ [SPLIT_HEADS]: splitHeadsKernel, [JOIN_HEADS]: joinHeadsKernel });

tf.registerGradient({
  kernelName: SPLIT_HEADS,
  gradFunc: (dys, _saved, attrs) => {
    const [dq, dk, dv] = dys as tf.Tensor[];
    return { qkv: () => tf.engine().runKernel(JOIN_HEADS, { dq, dk, dv }, attrs) as tf.Tensor };
  },
});
