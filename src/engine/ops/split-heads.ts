// Attention's head split: qkv [B*T, 3*H*hs] (each third head-major) to q * scale, k, v [B, H, T, hs].
import * as tf from '@tensorflow/tfjs-core';
import { SPLIT_HEADS } from '../kernels/training/heads.js';
import { hasKernel } from './kernel-choice.js';

/**
 * In one fused kernel call each way, or null where the backend lacks it or hs is not a multiple of 4 (then the
 * model splits with its composite ops).
 */
export function splitHeads(qkv: tf.Tensor, B: number, T: number, H: number, scale: number): tf.Tensor4D[] | null {
  const hs = qkv.size / (3 * H * B * T);
  if (!hasKernel(SPLIT_HEADS) || hs % 4 !== 0) return null;
  return tf.engine().runKernel(SPLIT_HEADS, { qkv }, { B, T, H, scale }) as tf.Tensor4D[];
}
