/**
 * int8 weights for inference (q8): symmetric, one float scale per output row, four int8 values packed per int32
 * element (tfjs has no int8 dtype). Two wasm kernels read them in place on the heap, so float weights are never
 * materialised: InklingQ8MatMul (x [m, k] times the dequantised rows [n, k], transposed) and InklingQ8Gather
 * (rows of an embedding). The native addon runs the product when it has q8matmul (AVX2 where the CPU has it);
 * otherwise, and as the reference the tests compare it with, the plain loops below.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { nativeBlas } from '../native-matmul.js';
import { type KernelArgs, sizeOf } from '../wasm-internals.js';

export const Q8_MATMUL_KERNEL = 'InklingQ8MatMul';
export const Q8_GATHER_KERNEL = 'InklingQ8Gather';

/** Symmetric int8 per row: scale = max|row| / 127, q = round(value / scale). `values` is [rows, cols] row-major. */
export function quantizeRows(values: Float32Array, rows: number, cols: number): { packed: Int32Array; scale: Float32Array } {
  if (cols % 4 !== 0) throw new Error(`q8 needs rows of a multiple of 4 values, got ${cols}`);
  const packed = new Int32Array((rows * cols) / 4);
  const bytes = new Int8Array(packed.buffer);
  const scale = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let c = 0; c < cols; c++) max = Math.max(max, Math.abs(values[r * cols + c]));
    const s = max / 127;
    scale[r] = s;
    if (s === 0) continue;
    for (let c = 0; c < cols; c++) bytes[r * cols + c] = Math.round(values[r * cols + c] / s);
  }
  return { packed, scale };
}

/** The float values a packed matrix stands for (tests and export). */
export function dequantizeRows(packed: Int32Array, scale: Float32Array, rows: number, cols: number): Float32Array {
  const bytes = new Int8Array(packed.buffer, packed.byteOffset, rows * cols);
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = bytes[r * cols + c] * scale[r];
  return out;
}

function offsetOf(backend: KernelArgs['backend'], t: TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset;
}

/** out[m, n] = x[m, k] . dequant(w)[n, k]^T; w is int32 [n, k / 4], scale float32 [n]. */
export function q8MatMulKernel({ inputs, backend }: KernelArgs): TensorInfo {
  const { x, w, scale } = inputs;
  const k = x.shape[x.shape.length - 1];
  const m = sizeOf(x.shape) / k;
  const n = w.shape[0];
  if (x.dtype !== 'float32' || w.dtype !== 'int32' || scale.dtype !== 'float32') throw new Error('InklingQ8MatMul: x float32, w int32, scale float32');
  if (w.shape[1] * 4 !== k || scale.shape[0] !== n) throw new Error(`InklingQ8MatMul: w [${w.shape}] and scale [${scale.shape}] do not fit x [${x.shape}]`);
  const out = backend.makeOutput([...x.shape.slice(0, -1), n], 'float32');
  if (m * n === 0) return out;
  const blas = nativeBlas();
  if (blas?.q8matmul) {
    blas.q8matmul(backend.wasm.HEAPU8.buffer as ArrayBuffer, m, n, k, offsetOf(backend, x), offsetOf(backend, w), offsetOf(backend, scale), offsetOf(backend, out));
    return out;
  }
  const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
  const xs = backend.typedArrayFromHeap(x) as Float32Array;
  const bytes = new Int8Array(heap, offsetOf(backend, w), n * k);
  const s = backend.typedArrayFromHeap(scale) as Float32Array;
  const o = backend.typedArrayFromHeap(out) as Float32Array;
  for (let r = 0; r < m; r++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      const row = j * k;
      for (let i = 0; i < k; i++) sum += xs[r * k + i] * bytes[row + i];
      o[r * n + j] = sum * s[j];
    }
  }
  return out;
}

/** out[T, d] = dequantised rows `indices` of w (int32 [V, d / 4]) with scale [V]. */
export function q8GatherKernel({ inputs, backend }: KernelArgs): TensorInfo {
  const { w, scale, indices } = inputs;
  const d = w.shape[1] * 4;
  const V = w.shape[0];
  const T = sizeOf(indices.shape);
  const out = backend.makeOutput([T, d], 'float32');
  if (T === 0) return out;
  const bytes = new Int8Array(backend.wasm.HEAPU8.buffer as ArrayBuffer, offsetOf(backend, w), V * d);
  const s = backend.typedArrayFromHeap(scale) as Float32Array;
  const ids = backend.typedArrayFromHeap(indices) as Int32Array;
  const o = backend.typedArrayFromHeap(out) as Float32Array;
  for (let t = 0; t < T; t++) {
    const id = ids[t];
    if (id < 0 || id >= V) throw new Error(`InklingQ8Gather: token id ${id} is outside the vocabulary of ${V}`);
    for (let c = 0; c < d; c++) o[t * d + c] = bytes[id * d + c] * s[id];
  }
  return out;
}

export const Q8_KERNELS = { [Q8_MATMUL_KERNEL]: q8MatMulKernel, [Q8_GATHER_KERNEL]: q8GatherKernel };
