// Rotary position embeddings in Hugging Face's convention (rotate_half: the head splits into two halves, not
// interleaved pairs), with the `rope_scaling` variants Llama checkpoints use. Reference: transformers'
// modeling_rope_utils.py (_compute_default / _compute_linear_scaling / _compute_llama3_parameters).
import * as tf from '@tensorflow/tfjs-core';
import { ROPE } from '../kernels/rope.js';
import { hasKernel, runKernel } from '../ops/kernel-choice.js';

export type RopeScaling =
  | { type: 'linear'; factor: number }
  | { type: 'llama3'; factor: number; lowFreqFactor: number; highFreqFactor: number; originalContext: number };

/** config.json's rope_scaling (either spelling: `rope_type` or the older `type`), or a one-line Error. */
export function parseRopeScaling(raw: unknown): RopeScaling | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw !== 'object') throw new Error('config.json: rope_scaling must be an object');
  const r = raw as Record<string, unknown>;
  const type = r.rope_type ?? r.type;
  const num = (key: string): number => {
    const v = r[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new Error(`config.json: rope_scaling.${key} must be a positive number`);
    return v;
  };
  if (type === 'default') return null;
  if (type === 'linear') return { type: 'linear', factor: num('factor') };
  if (type === 'llama3') {
    return {
      type: 'llama3',
      factor: num('factor'),
      lowFreqFactor: num('low_freq_factor'),
      highFreqFactor: num('high_freq_factor'),
      originalContext: num('original_max_position_embeddings'),
    };
  }
  throw new Error(`rope_scaling type "${String(type)}" is not supported (supported: linear, llama3)`);
}

export const rotaryTables = {
  /** inv_freq[i] = theta^(-2i/d), i < d/2, adjusted by the scaling. */
  inverseFrequencies(headDim: number, theta: number, scaling: RopeScaling | null): Float64Array {
    const half = headDim / 2;
    const inv = new Float64Array(half);
    for (let i = 0; i < half; i++) inv[i] = 1 / theta ** ((2 * i) / headDim);
    if (scaling?.type === 'linear') for (let i = 0; i < half; i++) inv[i] /= scaling.factor;
    if (scaling?.type === 'llama3') {
      const { factor, lowFreqFactor: low, highFreqFactor: high, originalContext: old } = scaling;
      const lowWavelen = old / low;
      const highWavelen = old / high;
      for (let i = 0; i < half; i++) {
        const wavelen = (2 * Math.PI) / inv[i];
        if (wavelen > lowWavelen) inv[i] /= factor; // long waves: interpolated
        else if (wavelen >= highWavelen) {
          // between the two: a smooth blend of interpolated and original
          const smooth = (old / wavelen - low) / (high - low);
          inv[i] = (1 - smooth) * (inv[i] / factor) + smooth * inv[i];
        } // short waves: unchanged
      }
    }
    return inv;
  },

  /** cos and sin [T, headDim] for positions start..start+T-1 (each half repeats the frequencies). */
  at(inv: Float64Array, start: number, T: number): { cos: tf.Tensor2D; sin: tf.Tensor2D } {
    const half = inv.length;
    const d = 2 * half;
    const cos = new Float32Array(T * d);
    const sin = new Float32Array(T * d);
    for (let t = 0; t < T; t++) {
      for (let i = 0; i < half; i++) {
        const angle = (start + t) * inv[i];
        const c = Math.cos(angle);
        const s = Math.sin(angle);
        cos[t * d + i] = cos[t * d + half + i] = c;
        sin[t * d + i] = sin[t * d + half + i] = s;
      }
    }
    return { cos: tf.tensor2d(cos, [T, d]), sin: tf.tensor2d(sin, [T, d]) };
  },
};

/** x * cos + rotate_half(x) * sin for x [B, n, T, headDim]; rotate_half([a, b]) = [-b, a]. One kernel where the backend has it. */
export function rotate(x: tf.Tensor4D, cos: tf.Tensor2D, sin: tf.Tensor2D): tf.Tensor4D {
  if (hasKernel(ROPE)) return runKernel(ROPE, { x, cos, sin }) as tf.Tensor4D;
  return rotateComposite(x, cos, sin);
}

/** The same as composite ops (backends without the kernel, and the kernel's reference in tests). */
export function rotateComposite(x: tf.Tensor4D, cos: tf.Tensor2D, sin: tf.Tensor2D): tf.Tensor4D {
  const [a, b] = tf.split(x, 2, 3);
  const rotated = tf.concat([tf.neg(b), a], 3);
  return tf.add(tf.mul(x, cos), tf.mul(rotated, sin)) as tf.Tensor4D;
}
