/**
 * Rotary position embedding in one kernel call (wasm): out = x cos + rotate_half(x) sin over x [..., T, headDim]
 * with cos and sin [T, headDim], Hugging Face's convention (rotate_half([a, b]) = [-b, a]). The composite op is a
 * split, a negation, a concat, two products and a sum per use, twice a layer, and was a tenth of a SmolLM2-shaped
 * prefill besides the products (bench/RESULTS.md). With `transpose` it applies the transposed rotation, which is
 * the gradient with respect to x; cos and sin are tables, not trained.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { type KernelArgs, type WasmBackendInternals, sizeOf } from './wasm-internals.js';

export const ROPE = 'InklingRope';

function floats(backend: WasmBackendInternals, t: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

function ropeKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { x, cos, sin } = inputs;
  const rank = x.shape.length;
  const [T, D] = x.shape.slice(-2);
  if (rank < 2 || [x, cos, sin].some((t) => t.dtype !== 'float32') || D % 2 !== 0) throw new Error(`${ROPE}: x must be float32 [..., T, headDim] with an even headDim`);
  for (const t of [cos, sin]) if (t.shape.length !== 2 || t.shape[0] !== T || t.shape[1] !== D) throw new Error(`${ROPE}: cos and sin must be [${T}, ${D}]`);
  const sign = attrs?.transpose ? -1 : 1;
  const out = backend.makeOutput(x.shape, 'float32');
  const n = sizeOf(x.shape);
  if (n === 0) return out;
  const [o, v, c, s] = [floats(backend, out), floats(backend, x), floats(backend, cos), floats(backend, sin)];
  const half = D / 2;
  const rows = n / D;
  for (let r = 0; r < rows; r++) {
    const base = r * D;
    const table = (r % T) * D;
    for (let i = 0; i < half; i++) {
      const a = v[base + i];
      const b = v[base + half + i];
      // forward: [a c1 - b s1, b c2 + a s2]; transposed: [a c1 + b s2, b c2 - a s1]
      o[base + i] = a * c[table + i] - sign * b * s[table + (sign > 0 ? i : half + i)];
      o[base + half + i] = b * c[table + half + i] + sign * a * s[table + (sign > 0 ? half + i : i)];
    }
  }
  return out;
}

export const ROPE_KERNELS = { [ROPE]: ropeKernel };

tf.registerGradient({
  kernelName: ROPE,
  inputsToSave: ['cos', 'sin'],
  gradFunc: (dy, saved, attrs) => ({
    x: () => tf.engine().runKernel(ROPE, { x: dy as tf.Tensor, cos: saved[0], sin: saved[1] }, { transpose: !attrs.transpose }) as tf.Tensor,
  }),
});
