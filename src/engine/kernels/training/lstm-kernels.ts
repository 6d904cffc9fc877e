/**
 * A whole LSTM layer's recurrence in one kernel call each way, for wasm: per time step one product h U (native
 * BLAS in place, else the stock product) and one fused SIMD cell (simd/training.wat), instead of ~17 kernel
 * calls forward and ~10 backward per step. Gates i, f, g, o; rows time-major (step t is rows t*B .. t*B+B-1).
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { plainBatchMatMul } from '../fixes/transpose-matmul.js';
import { nativeBlas } from '../native-matmul.js';
import { at, ifSimd, simd } from './simd-training.js';
import { type KernelArgs, type WasmBackendInternals, sizeOf } from '../wasm-internals.js';

/** inputs xw [T*B, 4H], U [H, 4H]; attrs T, B -> [hAll, cAll] [(T+1)*B, H] (from the zero state), acts [T*B, 4H], tanh(c) [T*B, H]. */
export const LSTM_FORWARD = 'InklingLstmForward';
/** inputs dy [T*B, H], acts, cAll, tc, U (as the forward pass gave them); attrs T, B -> dz [T*B, 4H], the gradient of xw. */
export const LSTM_BACKWARD = 'InklingLstmBackward';

function dims(kernel: string, U: TensorInfo, attrs: KernelArgs['attrs']): { T: number; B: number; H: number } {
  const T = Number(attrs?.T);
  const B = Number(attrs?.B);
  const H = U.shape[0];
  if (U.shape.length !== 2 || U.shape[1] !== 4 * H) throw new Error(`${kernel}: U must be [H, 4H], got [${U.shape}]`);
  if (H % 4 !== 0) throw new Error(`${kernel}: the hidden size must be a multiple of 4, got ${H}`);
  if (!(Number.isInteger(T) && T > 0 && Number.isInteger(B) && B > 0)) throw new Error(`${kernel}: bad T ${attrs?.T} or B ${attrs?.B}`);
  return { T, B, H };
}

function expectShape(kernel: string, name: string, t: TensorInfo, rows: number, cols: number): void {
  if (t.dtype !== 'float32' || sizeOf(t.shape) !== rows * cols) throw new Error(`${kernel}: ${name} must be float32 [${rows}, ${cols}]`);
}

/**
 * out (B rows of width n, at a byte offset) = a (B rows of width k, at a byte offset) x b [k, n], or x b^T with
 * transposeB (b [n, k]). Native: in place. Stock: through a copy of a and a copy of the result.
 */
function product(
  backend: WasmBackendInternals, aOffset: number, rows: number, k: number, b: TensorInfo, transposeB: boolean, outOffset: number, n: number,
): void {
  const blas = nativeBlas();
  if (blas) {
    const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
    blas.gemm(heap, false, transposeB, rows, n, k, Uint32Array.of(aOffset), Uint32Array.of(at(backend, b)), Uint32Array.of(outOffset));
    return;
  }
  const a = backend.makeOutput([rows, k], 'float32');
  const heapF32 = () => new Float32Array(backend.wasm.HEAPU8.buffer);
  heapF32().copyWithin(at(backend, a) / 4, aOffset / 4, aOffset / 4 + rows * k);
  if (transposeB) throw new Error('product: the stock path takes b already transposed');
  const out = plainBatchMatMul(backend, a, b, [], [rows, n]);
  heapF32().copyWithin(outOffset / 4, at(backend, out) / 4, at(backend, out) / 4 + rows * n);
  backend.disposeData(a.dataId);
  backend.disposeData(out.dataId);
}

function transposeCopy(backend: WasmBackendInternals, b: TensorInfo): TensorInfo {
  const [r, c] = b.shape;
  const out = backend.makeOutput([c, r], 'float32');
  const src = backend.typedArrayFromHeap(b) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) dst[j * r + i] = src[i * c + j];
  return out;
}

export function lstmForwardKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const { xw, U } = inputs;
  const { T, B, H } = dims(LSTM_FORWARD, U, attrs);
  expectShape(LSTM_FORWARD, 'xw', xw, T * B, 4 * H);
  expectShape(LSTM_FORWARD, 'U', U, H, 4 * H);
  const hAll = backend.makeOutput([(T + 1) * B, H], 'float32');
  const cAll = backend.makeOutput([(T + 1) * B, H], 'float32');
  const acts = backend.makeOutput([T * B, 4 * H], 'float32');
  const tc = backend.makeOutput([T * B, H], 'float32');
  const hu = backend.makeOutput([B, 4 * H], 'float32');
  try {
    (backend.typedArrayFromHeap(hAll) as Float32Array).fill(0, 0, B * H);
    (backend.typedArrayFromHeap(cAll) as Float32Array).fill(0, 0, B * H);
    const k = simd(backend);
    const [x0, h0, c0, a0, t0, hu0] = [xw, hAll, cAll, acts, tc, hu].map((t) => at(backend, t));
    const wide = B * 4 * H * 4; // bytes per step of a 4H-wide tensor
    const narrow = B * H * 4;
    for (let t = 0; t < T; t++) {
      product(backend, h0 + t * narrow, B, H, U, false, hu0, 4 * H);
      k.lstm_cell(x0 + t * wide, hu0, c0 + t * narrow, a0 + t * wide, c0 + (t + 1) * narrow, h0 + (t + 1) * narrow, t0 + t * narrow, B, H);
    }
  } finally {
    backend.disposeData(hu.dataId);
  }
  return [hAll, cAll, acts, tc];
}

export function lstmBackwardKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { dy, acts, cAll, tc, U } = inputs;
  const { T, B, H } = dims(LSTM_BACKWARD, U, attrs);
  expectShape(LSTM_BACKWARD, 'dy', dy, T * B, H);
  expectShape(LSTM_BACKWARD, 'acts', acts, T * B, 4 * H);
  expectShape(LSTM_BACKWARD, 'cAll', cAll, (T + 1) * B, H);
  expectShape(LSTM_BACKWARD, 'tc', tc, T * B, H);
  const dz = backend.makeOutput([T * B, 4 * H], 'float32');
  const dcNext = backend.makeOutput([B, H], 'float32');
  const dhu = backend.makeOutput([B, H], 'float32');
  // The stock product cannot transpose in place: U^T once for all steps.
  const UT = nativeBlas() ? null : transposeCopy(backend, U);
  try {
    (backend.typedArrayFromHeap(dcNext) as Float32Array).fill(0);
    const k = simd(backend);
    const [dy0, a0, c0, t0, dz0, dcn, dhu0] = [dy, acts, cAll, tc, dz, dcNext, dhu].map((t) => at(backend, t));
    const wide = B * 4 * H * 4;
    const narrow = B * H * 4;
    for (let t = T - 1; t >= 0; t--) {
      const last = t === T - 1;
      // dh from the next step's gate gradients: dz[t+1] U^T
      if (!last) product(backend, dz0 + (t + 1) * wide, B, 4 * H, UT ?? U, UT === null, dhu0, H);
      k.lstm_cell_grad(dy0 + t * narrow, dhu0, last ? 0 : 1, dcn, a0 + t * wide, c0 + t * narrow, t0 + t * narrow, dz0 + t * wide, B, H);
    }
  } finally {
    for (const t of UT ? [dcNext, dhu, UT] : [dcNext, dhu]) backend.disposeData(t.dataId);
  }
  return dz;
}

export const LSTM_KERNELS = ifSimd({ [LSTM_FORWARD]: lstmForwardKernel, [LSTM_BACKWARD]: lstmBackwardKernel });
