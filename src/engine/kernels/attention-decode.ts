/**
 * Fused inference kernels for decoding a transformer one position at a time on wasm.
 * Registered with the other inference kernels by index.ts; the models call them by name when the backend has them.
 *
 * InklingDecodeAttention: causal self-attention of one new position over a key/value cache, in one kernel call
 * instead of ~10 (split, q scale, two cache concats, two products, softmax, reshapes; decoding is dispatch-bound).
 * Inputs: qkv [1, 3d] (q, k, v thirds, each head-major), and optionally k, v [1, H, L, hs] (the cache; absent or
 * L = 0 when there is no past). Attr heads (H). Outputs: y [1, d] (heads merged, head-major), k' and v'
 * [1, H, L + 1, hs] (the cache with the new position appended, the layout the multi-token path builds).
 * q is scaled by 1/sqrt(hs) in float32 as the composite path does; scores, softmax and the weighted sum of values
 * are in float64. No gradient is registered.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { matMulExplicit } from './batch-matmul.js';
import { layerNormKernel } from './layer-norm.js';
import type { BlasAddon } from './native-blas.js';
import { nativeBlas } from './native-matmul.js';
import { type KernelArgs, type WasmBackendInternals, type WasmKernelFunc, reshaped, runStock, sizeOf } from './wasm-internals.js';

export const DECODE_ATTENTION_KERNEL = 'InklingDecodeAttention';

/** Scratch reused across calls (grown on demand): scaled q, float64 scores of one head, its weighted sum of values. */
let scaledQ = new Float32Array(64);
let scores = new Float64Array(64);
let acc = new Float64Array(64);

function shapeError(what: string): Error {
  return new Error(`${DECODE_ATTENTION_KERNEL}: ${what}`);
}

export function decodeAttentionKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const { qkv, k: pastK, v: pastV } = inputs;
  const H = Number(attrs?.heads);
  const width = qkv.shape[qkv.shape.length - 1] ?? 0;
  const d = width / 3;
  const hs = d / H;
  if (!Number.isInteger(H) || H < 1) throw shapeError(`heads must be a positive integer, got ${attrs?.heads}`);
  if (sizeOf(qkv.shape) !== width || !Number.isInteger(hs) || hs < 1) {
    throw shapeError(`qkv shape ${qkv.shape} must be one row of 3 * heads * headSize`);
  }
  if ((pastK == null) !== (pastV == null)) throw shapeError('give both k and v, or neither');
  const L = pastK ? pastK.shape[2] : 0;
  for (const past of pastK ? [pastK, pastV] : []) {
    const [one, h, l, s] = past.shape;
    if (past.shape.length !== 4 || one !== 1 || h !== H || l !== L || s !== hs) {
      throw shapeError(`cache shape ${past.shape} must be [1, ${H}, L, ${hs}] for both k and v`);
    }
  }
  for (const t of [qkv, pastK, pastV]) if (t && t.dtype !== 'float32') throw shapeError('inputs must be float32');

  return attendOnHeap(backend, qkv, pastK ?? null, pastV ?? null, H);
}

/** The kernel's work on validated inputs: [y, k', v'], new tensors the caller owns. */
export function attendOnHeap(backend: WasmBackendInternals, qkv: TensorInfo, pastK: TensorInfo | null, pastV: TensorInfo | null, H: number): TensorInfo[] {
  const d = (qkv.shape[qkv.shape.length - 1] ?? 0) / 3;
  const hs = d / H;
  const L = pastK ? pastK.shape[2] : 0;
  const blas = nativeBlas();
  // Allocate everything first: a heap growth detaches views taken earlier.
  const y = backend.makeOutput([1, d], 'float32');
  const kOut = backend.makeOutput([1, H, L + 1, hs], 'float32');
  const vOut = backend.makeOutput([1, H, L + 1, hs], 'float32');
  const probs = blas ? backend.makeOutput([H, L + 1], 'float32') : null;
  const q = backend.typedArrayFromHeap(qkv) as Float32Array;
  const ko = backend.typedArrayFromHeap(kOut) as Float32Array;
  const vo = backend.typedArrayFromHeap(vOut) as Float32Array;
  appendPosition(ko, L > 0 ? (backend.typedArrayFromHeap(pastK!) as Float32Array) : null, q, d, H, L, hs);
  appendPosition(vo, L > 0 ? (backend.typedArrayFromHeap(pastV!) as Float32Array) : null, q, 2 * d, H, L, hs);
  if (blas && probs) {
    try {
      attendNative(backend, blas, { q: qkv, k: kOut, v: vOut, y, probs }, H, L + 1, hs);
    } finally {
      backend.disposeData(probs.dataId);
    }
  } else {
    attend(backend.typedArrayFromHeap(y) as Float32Array, q, ko, vo, H, L + 1, hs);
  }
  return [y, kOut, vOut];
}

/** Byte offsets of each head's block: base + h * stride floats. */
function headOffsets(into: Uint32Array, base: number, strideFloats: number): Uint32Array {
  for (let h = 0; h < into.length; h++) into[h] = base + h * strideFloats * 4;
  return into;
}

/**
 * attend() through the native BLAS: scores and the weighted sum of values are one batched sgemv call each
 * (in place on the heap; per head a 1-row product), the softmax in between in float64 here. The scale is applied
 * to the scores (float64) rather than to q: equal to float rounding.
 */
function attendNative(
  backend: WasmBackendInternals, blas: BlasAddon, t: Record<'q' | 'k' | 'v' | 'y' | 'probs', TensorInfo>, H: number, n: number, hs: number,
): void {
  const at = (x: TensorInfo) => backend.dataIdMap.get(x.dataId).memoryOffset;
  const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
  const [qo, ko, vo, yo, po] = [at(t.q), at(t.k), at(t.v), at(t.y), at(t.probs)];
  blas.gemm(heap, false, true, 1, n, hs, headOffsets(new Uint32Array(H), qo, hs), headOffsets(new Uint32Array(H), ko, n * hs), headOffsets(new Uint32Array(H), po, n));
  const p = backend.typedArrayFromHeap(t.probs) as Float32Array;
  const scale = 1 / Math.sqrt(hs);
  for (let h = 0; h < H; h++) {
    const base = h * n;
    let max = -Infinity;
    for (let i = base; i < base + n; i++) if (p[i] > max) max = p[i];
    let sum = 0;
    for (let i = base; i < base + n; i++) {
      const e = Math.exp((p[i] - max) * scale);
      p[i] = e;
      sum += e;
    }
    for (let i = base; i < base + n; i++) p[i] /= sum;
  }
  blas.gemm(heap, false, false, 1, hs, n, headOffsets(new Uint32Array(H), po, n), headOffsets(new Uint32Array(H), vo, n * hs), headOffsets(new Uint32Array(H), yo, hs));
}

/** out[h] = past[h] rows, then the new row of head h taken from qkv at `from`. */
function appendPosition(out: Float32Array, past: Float32Array | null, qkv: Float32Array, from: number, H: number, L: number, hs: number): void {
  for (let h = 0; h < H; h++) {
    const base = h * (L + 1) * hs;
    if (past) out.set(past.subarray(h * L * hs, (h + 1) * L * hs), base);
    out.set(qkv.subarray(from + h * hs, from + (h + 1) * hs), base + L * hs);
  }
}

/** y[h] = softmax(q[h] K[h]^T / sqrt(hs)) V[h] over the n cached positions of each head. */
function attend(y: Float32Array, q: Float32Array, k: Float32Array, v: Float32Array, H: number, n: number, hs: number): void {
  if (scores.length < n) scores = new Float64Array(n * 2);
  if (acc.length < hs) acc = new Float64Array(hs);
  if (scaledQ.length < hs) scaledQ = new Float32Array(hs);
  const scale = Math.fround(1 / Math.sqrt(hs));
  const qs = scaledQ;
  for (let h = 0; h < H; h++) {
    const qo = h * hs;
    const base = h * n * hs;
    // Rounded to float32 like the composite path's scaled q.
    for (let j = 0; j < hs; j++) qs[j] = q[qo + j] * scale;
    let max = -Infinity;
    for (let t = 0; t < n; t++) {
      const ko = base + t * hs;
      let s = 0;
      for (let j = 0; j < hs; j++) s += qs[j] * k[ko + j];
      scores[t] = s;
      if (s > max) max = s;
    }
    let sum = 0;
    for (let t = 0; t < n; t++) {
      const e = Math.exp(scores[t] - max);
      scores[t] = e;
      sum += e;
    }
    acc.fill(0, 0, hs);
    for (let t = 0; t < n; t++) {
      const p = scores[t] / sum;
      const vo = base + t * hs;
      for (let j = 0; j < hs; j++) acc[j] += p * v[vo + j];
    }
    for (let j = 0; j < hs; j++) y[qo + j] = acc[j];
  }
}

/**
 * InklingDecodeBlock: a whole pre-LayerNorm transformer block for one new position, in one kernel call instead of
 * ~10: x + proj(attention(LN1(x) qkv)), then + mlpProj(GELU(LN2(.) fc)). Inputs x [1, d], the block's weights
 * ln1 [d], qkv [d, 3d], proj [d, d], ln2 [d], fc [d, f], mlpProj [f, d], and optionally the cache k, v as for
 * InklingDecodeAttention; attrs heads, epsilon. Outputs x' [1, d], k', v'. The pieces are the kernels the composite
 * path runs (LayerNorm, GELU, the matmul fix), called directly: dispatch through the engine is what a decoded token
 * mostly pays for. GELU's sigmoid goes to the stock vectorised kernel.
 */
export const DECODE_BLOCK_KERNEL = 'InklingDecodeBlock';

export function decodeBlockKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const { x, ln1, qkv, proj, ln2, fc, mlpProj, k: pastK, v: pastV } = inputs;
  const H = Number(attrs?.heads);
  const epsilon = Number(attrs?.epsilon ?? 1e-5);
  const d = x.shape[x.shape.length - 1] ?? 0;
  const f = fc?.shape[1] ?? 0;
  const expected: Array<[string, TensorInfo | undefined, number[]]> = [
    ['ln1', ln1, [d]], ['qkv', qkv, [d, 3 * d]], ['proj', proj, [d, d]], ['ln2', ln2, [d]], ['fc', fc, [d, f]], ['mlpProj', mlpProj, [f, d]],
  ];
  if (sizeOf(x.shape) !== d || x.dtype !== 'float32') throw blockError(`x shape ${x.shape} must be one float32 row`);
  for (const [name, t, shape] of expected) {
    if (!t || t.dtype !== 'float32' || t.shape.join() !== shape.join()) throw blockError(`${name} shape ${t?.shape} must be [${shape}] (float32)`);
  }
  const temps: TensorInfo[] = [];
  const temp = (t: TensorInfo) => {
    temps.push(t);
    return t;
  };
  // As tf.matMul runs them: a [1, 1, k] row times b [1, k, n].
  const row = (a: TensorInfo, b: TensorInfo) =>
    temp(matMulExplicit(backend, reshaped(a, [1, 1, sizeOf(a.shape)]), reshaped(b, [1, ...b.shape]), false, false));
  try {
    const normed1 = temp(layerNormKernel({ inputs: { x, gamma: ln1 }, backend, attrs: { epsilon } }));
    const [y, kOut, vOut] = decodeAttentionKernel({ inputs: { qkv: row(normed1, qkv), ...(pastK ? { k: pastK, v: pastV } : {}) }, backend, attrs: { heads: H } });
    temp(y);
    const attended = row(y, proj);
    const out = backend.makeOutput([1, d], 'float32');
    addRows(backend, out, x, attended);
    const normed2 = temp(layerNormKernel({ inputs: { x: out, gamma: ln2 }, backend, attrs: { epsilon } }));
    const mlp = row(temp(geluOnHeap(backend, row(normed2, fc))), mlpProj);
    addRows(backend, out, out, mlp);
    return [out, kOut, vOut];
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

function blockError(what: string): Error {
  return new Error(`${DECODE_BLOCK_KERNEL}: ${what}`);
}

const GELU_A = 2 * Math.sqrt(2 / Math.PI);
const GELU_B = GELU_A * 0.044715;

/**
 * InklingGelu's x * sigmoid(x (A + B x^2)) (see gelu.ts) with the sigmoid in the stock vectorised kernel: per
 * decoded token V8's Math.exp cost more than the rest of the GELU. Returns a new tensor the caller owns.
 */
function geluOnHeap(backend: WasmBackendInternals, x: TensorInfo): TensorInfo {
  const t = backend.makeOutput(x.shape, 'float32');
  let gate: TensorInfo;
  try {
    const xv = backend.typedArrayFromHeap(x) as Float32Array;
    const tv = backend.typedArrayFromHeap(t) as Float32Array;
    for (let i = 0; i < tv.length; i++) tv[i] = xv[i] * (GELU_A + GELU_B * xv[i] * xv[i]);
    gate = runStock('Sigmoid', backend, { x: t });
  } finally {
    backend.disposeData(t.dataId);
  }
  const xv = backend.typedArrayFromHeap(x) as Float32Array;
  const gv = backend.typedArrayFromHeap(gate) as Float32Array;
  for (let i = 0; i < gv.length; i++) gv[i] *= xv[i];
  return gate;
}

/** out = a + b elementwise, in float32 like the Add kernel (out may be a). */
function addRows(backend: WasmBackendInternals, out: TensorInfo, a: TensorInfo, b: TensorInfo): void {
  const o = backend.typedArrayFromHeap(out) as Float32Array;
  const av = backend.typedArrayFromHeap(a) as Float32Array;
  const bv = backend.typedArrayFromHeap(b) as Float32Array;
  for (let i = 0; i < o.length; i++) o[i] = av[i] + bv[i];
}

export const ATTENTION_DECODE_KERNELS: Record<string, WasmKernelFunc> = {
  [DECODE_ATTENTION_KERNEL]: decodeAttentionKernel,
  [DECODE_BLOCK_KERNEL]: decodeBlockKernel,
};
