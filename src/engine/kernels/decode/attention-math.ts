/**
 * Causal self-attention of T new positions over a key/value cache, on the wasm heap (no sync reads): the work of
 * InklingDecodeAttention and InklingDecodeBlock. Layouts as the GPT builds them: qkv [T, 3d] with q, k, v thirds
 * each head-major; the cache [1, H, L, hs]; new position t sits at L + t and sees positions 0..L + t.
 * Through the native BLAS when it is on (scores and weighted values as batched products), else plain loops.
 * Softmax in float64, max-subtracted.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { BlasAddon } from '../native-blas.js';
import { nativeBlas } from '../native-matmul.js';
import type { WasmBackendInternals } from '../wasm-internals.js';

/** Why a cache does not fit (null when it does): both or neither of k, v; each [1, H, L, hs], float32. */
export function cacheProblem(pastK: TensorInfo | undefined, pastV: TensorInfo | undefined, H: number, hs: number): string | null {
  if ((pastK == null) !== (pastV == null)) return 'give both k and v, or neither';
  if (!pastK || !pastV) return null;
  const L = pastK.shape[2];
  for (const past of [pastK, pastV]) {
    const [one, h, l, s] = past.shape;
    if (past.shape.length !== 4 || one !== 1 || h !== H || l !== L || s !== hs || past.dtype !== 'float32') {
      return `cache shape ${past.shape} must be [1, ${H}, L, ${hs}] (float32) for both k and v`;
    }
  }
  return null;
}

/** [y [T, d] (heads merged), k' [1, H, L + T, hs], v'], new tensors the caller owns. Inputs already checked. */
export function attendOnHeap(backend: WasmBackendInternals, qkv: TensorInfo, pastK: TensorInfo | null, pastV: TensorInfo | null, H: number): TensorInfo[] {
  const [T, width] = qkv.shape;
  const d = width / 3;
  const hs = d / H;
  const L = pastK ? pastK.shape[2] : 0;
  const n = L + T;
  const blas = nativeBlas();
  // Allocate everything first: a heap growth detaches views taken earlier.
  const y = backend.makeOutput([T, d], 'float32');
  const kOut = backend.makeOutput([1, H, n, hs], 'float32');
  const vOut = backend.makeOutput([1, H, n, hs], 'float32');
  // Native scratch: probabilities per head [T, n]; for several rows also q and y per head [T, hs] (one row's
  // head-major slices are already contiguous).
  const scratch = blas
    ? { probs: backend.makeOutput([H, T, n], 'float32'), q: T > 1 ? backend.makeOutput([H, T, hs], 'float32') : qkv, y: T > 1 ? backend.makeOutput([H, T, hs], 'float32') : y }
    : null;
  const q = backend.typedArrayFromHeap(qkv) as Float32Array;
  const ko = backend.typedArrayFromHeap(kOut) as Float32Array;
  const vo = backend.typedArrayFromHeap(vOut) as Float32Array;
  appendPositions(ko, L > 0 ? (backend.typedArrayFromHeap(pastK!) as Float32Array) : null, q, d, H, L, T, hs);
  appendPositions(vo, L > 0 ? (backend.typedArrayFromHeap(pastV!) as Float32Array) : null, q, 2 * d, H, L, T, hs);
  if (blas && scratch) {
    try {
      attendNative(backend, blas, { qkv, k: kOut, v: vOut, out: y, ...scratch }, H, L, T, hs);
    } finally {
      for (const t of [scratch.probs, scratch.q, scratch.y]) if (t !== qkv && t !== y) backend.disposeData(t.dataId);
    }
  } else {
    attend(backend.typedArrayFromHeap(y) as Float32Array, q, ko, vo, H, L, T, hs);
  }
  return [y, kOut, vOut];
}

/** out[h] = past[h] rows, then the new rows of head h taken from qkv's third at `from`. */
function appendPositions(out: Float32Array, past: Float32Array | null, qkv: Float32Array, from: number, H: number, L: number, T: number, hs: number): void {
  const n = L + T;
  const width = 3 * H * hs;
  for (let h = 0; h < H; h++) {
    const base = h * n * hs;
    if (past) out.set(past.subarray(h * L * hs, (h + 1) * L * hs), base);
    for (let t = 0; t < T; t++) {
      const src = t * width + from + h * hs;
      out.set(qkv.subarray(src, src + hs), base + (L + t) * hs);
    }
  }
}

/** Byte offsets of each head's block: base + h * stride floats. */
function headOffsets(H: number, base: number, strideFloats: number): Uint32Array {
  const into = new Uint32Array(H);
  for (let h = 0; h < H; h++) into[h] = base + h * strideFloats * 4;
  return into;
}

/** out: y [T, d]; q and y: per-head [H, T, hs] (for one row, qkv and out themselves). */
type NativeOperands = Record<'qkv' | 'k' | 'v' | 'out' | 'probs' | 'q' | 'y', TensorInfo>;

/**
 * Per head, scores Q K^T [T, n] and then P V [T, hs] as one batched BLAS call each (sgemv for a single row),
 * in place on the heap; the masked softmax in between here. The scale is applied to the scores (float64) rather
 * than to q: equal to float rounding.
 */
function attendNative(backend: WasmBackendInternals, blas: BlasAddon, t: NativeOperands, H: number, L: number, T: number, hs: number): void {
  const n = L + T;
  const d = H * hs;
  const qkv = backend.typedArrayFromHeap(t.qkv) as Float32Array;
  if (t.q !== t.qkv) {
    const qs = backend.typedArrayFromHeap(t.q) as Float32Array;
    for (let h = 0; h < H; h++) for (let r = 0; r < T; r++) qs.set(qkv.subarray(r * 3 * d + h * hs, r * 3 * d + (h + 1) * hs), (h * T + r) * hs);
  }
  const at = (x: TensorInfo) => backend.dataIdMap.get(x.dataId).memoryOffset;
  const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
  const [qo, ko, vo, yo, po] = [at(t.q), at(t.k), at(t.v), at(t.y), at(t.probs)];
  blas.gemm(heap, false, true, T, n, hs, headOffsets(H, qo, T * hs), headOffsets(H, ko, n * hs), headOffsets(H, po, T * n));
  const p = backend.typedArrayFromHeap(t.probs) as Float32Array;
  const scale = 1 / Math.sqrt(hs);
  for (let row = 0; row < H * T; row++) {
    const base = row * n;
    const visible = base + L + (row % T) + 1;
    let max = -Infinity;
    for (let i = base; i < visible; i++) if (p[i] > max) max = p[i];
    let sum = 0;
    for (let i = base; i < visible; i++) {
      const e = Math.exp((p[i] - max) * scale);
      p[i] = e;
      sum += e;
    }
    for (let i = base; i < visible; i++) p[i] /= sum;
    p.fill(0, visible, base + n);
  }
  blas.gemm(heap, false, false, T, hs, n, headOffsets(H, po, T * n), headOffsets(H, vo, n * hs), headOffsets(H, yo, T * hs));
  if (t.y !== t.out) {
    // [H, T, hs] -> [T, H * hs]
    const ys = backend.typedArrayFromHeap(t.y) as Float32Array;
    const out = backend.typedArrayFromHeap(t.out) as Float32Array;
    for (let h = 0; h < H; h++) for (let r = 0; r < T; r++) out.set(ys.subarray((h * T + r) * hs, (h * T + r + 1) * hs), r * d + h * hs);
  }
}

/** Scratch reused across calls (grown on demand): scaled q, float64 scores of one row, its weighted sum of values. */
let scaledQ = new Float32Array(64);
let scores = new Float64Array(64);
let acc = new Float64Array(64);

/** attendNative's work in plain loops: q scaled in float32 as the composite path does, sums in float64. */
function attend(y: Float32Array, qkv: Float32Array, k: Float32Array, v: Float32Array, H: number, L: number, T: number, hs: number): void {
  const n = L + T;
  const d = H * hs;
  if (scores.length < n) scores = new Float64Array(n * 2);
  if (acc.length < hs) acc = new Float64Array(hs);
  if (scaledQ.length < hs) scaledQ = new Float32Array(hs);
  const scale = Math.fround(1 / Math.sqrt(hs));
  const qs = scaledQ;
  for (let h = 0; h < H; h++) {
    const base = h * n * hs;
    for (let r = 0; r < T; r++) {
      const qo = r * 3 * d + h * hs;
      const visible = L + r + 1;
      for (let j = 0; j < hs; j++) qs[j] = qkv[qo + j] * scale;
      let max = -Infinity;
      for (let i = 0; i < visible; i++) {
        const ko = base + i * hs;
        let s = 0;
        for (let j = 0; j < hs; j++) s += qs[j] * k[ko + j];
        scores[i] = s;
        if (s > max) max = s;
      }
      let sum = 0;
      for (let i = 0; i < visible; i++) {
        const e = Math.exp(scores[i] - max);
        scores[i] = e;
        sum += e;
      }
      acc.fill(0, 0, hs);
      for (let i = 0; i < visible; i++) {
        const p = scores[i] / sum;
        const vo = base + i * hs;
        for (let j = 0; j < hs; j++) acc[j] += p * v[vo + j];
      }
      const yo = r * d + h * hs;
      for (let j = 0; j < hs; j++) y[yo + j] = acc[j];
    }
  }
}
