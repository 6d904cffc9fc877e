/**
 * Fused inference kernels for decoding a transformer on wasm, registered with the other inference kernels by
 * index.ts; the models call them by name when the backend has them. No gradients are registered.
 *
 * InklingDecodeAttention: causal self-attention of T new positions over a key/value cache in one kernel call
 * instead of ~10 (split, q scale, two cache concats, two products, mask, softmax, transposes/reshapes).
 * Inputs: qkv [T, 3d] (q, k, v thirds, each head-major), and optionally k, v [1, H, L, hs] (the cache; absent or
 * L = 0 when there is no past). Attr heads (H). Outputs: y [T, d] (heads merged, head-major), k' and v'
 * [1, H, L + T, hs] (the cache with the new positions appended, the layout the multi-token path builds).
 * InklingDecodeBlock (decode-block.ts) runs a whole GPT block around it; the GPT calls that one.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { attendOnHeap, cacheProblem } from './attention-math.js';
import { DECODE_BLOCK_KERNEL, decodeBlockKernel } from './decode-block.js';
import type { KernelArgs, WasmKernelFunc } from '../wasm-internals.js';

export const DECODE_ATTENTION_KERNEL = 'InklingDecodeAttention';

function shapeError(what: string): Error {
  return new Error(`${DECODE_ATTENTION_KERNEL}: ${what}`);
}

export function decodeAttentionKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const { qkv, k: pastK, v: pastV } = inputs;
  const H = Number(attrs?.heads);
  const [T, width] = qkv.shape;
  const hs = width / 3 / H;
  if (!Number.isInteger(H) || H < 1) throw shapeError(`heads must be a positive integer, got ${attrs?.heads}`);
  if (qkv.shape.length !== 2 || T < 1 || !Number.isInteger(hs) || hs < 1 || qkv.dtype !== 'float32') {
    throw shapeError(`qkv shape ${qkv.shape} must be [T, 3 * heads * headSize] (float32)`);
  }
  const problem = cacheProblem(pastK, pastV, H, hs);
  if (problem) throw shapeError(problem);
  return attendOnHeap(backend, qkv, pastK ?? null, pastV ?? null, H);
}

export const ATTENTION_DECODE_KERNELS: Record<string, WasmKernelFunc> = {
  [DECODE_ATTENTION_KERNEL]: decodeAttentionKernel,
  [DECODE_BLOCK_KERNEL]: decodeBlockKernel,
};
