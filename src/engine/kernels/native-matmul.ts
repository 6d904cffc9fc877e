/**
 * Matrix products and leading-axis sums on the wasm heap through the native BLAS addon: sgemm reads the
 * operands where they are (transposes are free) and writes the output in place; sgemv does bias-gradient sums.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { BlasAddon } from './native-blas.js';
import type { PolicyBlas } from './blas-thread-policy.js';
import { type WasmBackendInternals, sizeOf } from './wasm-internals.js';

let active: PolicyBlas | null = null;

/** Route products and sums through `blas` (null: back to the pure-JS kernels). */
export function useNativeBlas(blas: PolicyBlas | null): void {
  active = blas;
}

export function nativeBlas(): PolicyBlas | null {
  return active;
}

function offsetOf(backend: WasmBackendInternals, t: TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset;
}

/** Flat batch index of a (possibly broadcast) operand for output batch `i`. */
function batchIndexer(batchShape: number[], outer: number[]): (i: number) => number {
  const padded = [...Array(outer.length - batchShape.length).fill(1), ...batchShape];
  return (i: number) => {
    let rem = i;
    let index = 0;
    let stride = 1;
    for (let d = outer.length - 1; d >= 0; d--) {
      const at = rem % outer[d];
      rem = Math.floor(rem / outer[d]);
      if (padded[d] !== 1) index += at * stride;
      stride *= padded[d];
    }
    return index;
  };
}

/** op(a) x op(b) with numpy batch broadcasting; a new tensor of shape outShape. Caller checked the shapes. */
export function nativeMatMul(
  backend: WasmBackendInternals, blas: BlasAddon, a: TensorInfo, b: TensorInfo, ta: boolean, tb: boolean,
  dims: { m: number; k: number; n: number; outer: number[]; outShape: number[] },
): TensorInfo {
  const { m, k, n, outer, outShape } = dims;
  // Allocate first: a heap growth detaches the old buffer, so the heap is fetched after.
  const out = backend.makeOutput(outShape, 'float32');
  const batch = sizeOf(outer);
  if (batch * m * n === 0) return out;
  if (k === 0) {
    backend.typedArrayFromHeap(out).fill(0);
    return out;
  }
  const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
  const [aBase, bBase, cBase] = [offsetOf(backend, a), offsetOf(backend, b), offsetOf(backend, out)];
  const batchA = sizeOf(a.shape.slice(0, -2));
  const batchB = sizeOf(b.shape.slice(0, -2));
  if (batchB === 1 && !ta) {
    // One shared right-hand matrix: all of a's rows in one product.
    blas.gemm(heap, false, tb, batchA * m, n, k, Uint32Array.of(aBase), Uint32Array.of(bBase), Uint32Array.of(cBase));
    return out;
  }
  const aIndex = batchIndexer(a.shape.slice(0, -2), outer);
  const bIndex = batchIndexer(b.shape.slice(0, -2), outer);
  const ao = new Uint32Array(batch);
  const bo = new Uint32Array(batch);
  const co = new Uint32Array(batch);
  for (let i = 0; i < batch; i++) {
    ao[i] = aBase + (batchA === 1 ? 0 : aIndex(i)) * m * k * 4;
    bo[i] = bBase + (batchB === 1 ? 0 : bIndex(i)) * k * n * 4;
    co[i] = cBase + i * m * n * 4;
  }
  blas.gemm(heap, ta, tb, m, n, k, ao, bo, co);
  return out;
}

/** Sum of x [rows, ...cols] over its leading `rows` (the bias gradient of a dense layer) into a new tensor. */
export function nativeLeadingSum(backend: WasmBackendInternals, blas: BlasAddon, x: TensorInfo, rows: number, outShape: number[]): TensorInfo {
  const out = backend.makeOutput(outShape, 'float32');
  const cols = sizeOf(outShape);
  if (cols === 0) return out;
  if (rows === 0) {
    backend.typedArrayFromHeap(out).fill(0);
    return out;
  }
  blas.columnSums(backend.wasm.HEAPU8.buffer as ArrayBuffer, rows, cols, offsetOf(backend, x), offsetOf(backend, out));
  return out;
}
