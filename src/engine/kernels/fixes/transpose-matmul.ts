/**
 * BatchMatMul for wasm: the stock kernel is far slower when asked to transpose (backprop asks all the time), and
 * wrong under general batch broadcasting ([2,1,m,k] x [1,3,k,n]) and for an inner size of 0. This wrapper
 * transposes explicitly with the stock Transpose kernel, broadcasts batches itself, then calls the stock kernel with
 * no transpose flags.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { perBatchMatMul } from './per-batch-matmul.js';
import { nativeBlas, nativeMatMul } from '../native-matmul.js';
import { type KernelArgs, type WasmBackendInternals, reshaped, runStock, sizeOf } from '../wasm-internals.js';

/** Shapes of a (possibly transposed) matmul, validated like tf.matMul does. */
export function matMulShapes(aShape: number[], bShape: number[], transposeA: boolean, transposeB: boolean) {
  const ar = aShape.length;
  const br = bShape.length;
  const m = transposeA ? aShape[ar - 1] : aShape[ar - 2];
  const kA = transposeA ? aShape[ar - 2] : aShape[ar - 1];
  const kB = transposeB ? bShape[br - 1] : bShape[br - 2];
  const n = transposeB ? bShape[br - 2] : bShape[br - 1];
  if (kA !== kB) {
    throw new Error(
      `Error in matMul: inner shapes (${kA}) and (${kB}) of Tensors with shapes ${aShape} and ${bShape} ` +
        `and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
    );
  }
  const outerA = aShape.slice(0, -2);
  const outerB = bShape.slice(0, -2);
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  return { m, k: kA, n, outerA, outerB, outer, outShape: [...outer, m, n] };
}

/** [..., r, c] -> [..., c, r] as a new tensor the caller owns. */
function transposeLastTwo(backend: WasmBackendInternals, t: TensorInfo): TensorInfo {
  const rank = t.shape.length;
  const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2];
  return runStock('Transpose', backend, { x: t }, { perm });
}

/** Repeat t's batch dims up to `outer` (explicit broadcast) as a new [batch, rows, cols] tensor the caller owns. */
function broadcastBatch(backend: WasmBackendInternals, t: TensorInfo, outer: number[]): TensorInfo {
  const inner = t.shape.slice(-2);
  const batch = t.shape.slice(0, -2);
  const padded = [...Array(outer.length - batch.length).fill(1), ...batch];
  const reps = [...padded.map((d, i) => (d === outer[i] ? 1 : outer[i])), 1, 1];
  const tiled = runStock('Tile', backend, { x: reshaped(t, [...padded, ...inner]) }, { reps });
  return reshaped(tiled, [sizeOf(outer), ...inner]);
}

/**
 * The stock kernel's fast (XNNPACK) path caches an operator with b's values packed in, keyed by b's tensor id
 * only. The same data seen under another [k, n] (a reshape shares the id) would reuse a wrongly shaped operator
 * and write out of bounds, so such a b gets a fresh copy. Keyed by dataId objects: entries die with the data.
 */
const weightShapes = new WeakMap<object, string>();

export function asCachedWeights(backend: WasmBackendInternals, b: TensorInfo, owned: TensorInfo[]): TensorInfo {
  const key = b.shape.slice(-2).join('x');
  const seen = weightShapes.get(b.dataId);
  if (seen === undefined) weightShapes.set(b.dataId, key);
  if (seen === undefined || seen === key) return b;
  const copy = runStock('Identity', backend, { x: b });
  owned.push(copy);
  weightShapes.set(copy.dataId, key);
  return copy;
}

/**
 * Per-batch XNNPACK calls pay an operator setup each (more for single-row products): measured, the naive loop
 * wins below these sizes (decode-time attention with one query row), XNNPACK wins above.
 */
const FAST_MIN_ROWS = 4;
const FAST_MIN_WORK = 4096;

/**
 * a [..., m, k] x b [..., k, n] with no transposes, row-major. Returns a new tensor of shape outShape. Only two
 * stock paths are correct and used: unbatched (XNNPACK) and equal batches (a plain loop, or XNNPACK per batch).
 */
export function plainBatchMatMul(backend: WasmBackendInternals, a: TensorInfo, b: TensorInfo, outer: number[], outShape: number[]): TensorInfo {
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[b.shape.length - 1];
  const batchA = sizeOf(a.shape.slice(0, -2));
  const batchB = sizeOf(b.shape.slice(0, -2));
  const batch = sizeOf(outer);
  if (batch * m * n === 0 || k === 0) return zeros(backend, outShape);
  const owned: TensorInfo[] = [];
  try {
    let a3: TensorInfo;
    let b3: TensorInfo;
    if (batchB === 1) {
      // One shared right-hand matrix: fold a's batch into its rows, one unbatched (fast) product.
      a3 = reshaped(a, [1, batchA * m, k]);
      b3 = asCachedWeights(backend, reshaped(b, [1, k, n]), owned);
    } else {
      a3 = batchA === batch ? reshaped(a, [batch, m, k]) : broadcastBatch(backend, a, outer);
      if (batchA !== batch) owned.push(a3);
      b3 = batchB === batch ? reshaped(b, [batch, k, n]) : broadcastBatch(backend, b, outer);
      if (batchB !== batch) owned.push(b3);
    }
    const out =
      batch > 1 && m >= FAST_MIN_ROWS && m * k * n >= FAST_MIN_WORK
        ? perBatchMatMul(backend, a3, b3)
        : runStock('BatchMatMul', backend, { a: a3, b: b3 }, { transposeA: false, transposeB: false });
    return reshaped(out, outShape);
  } finally {
    for (const t of owned) backend.disposeData(t.dataId);
  }
}

function zeros(backend: WasmBackendInternals, shape: number[]): TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  backend.typedArrayFromHeap(out).fill(0);
  return out;
}

/**
 * Transpose explicitly as asked, then multiply with no flags (or hand it all to the native BLAS when loaded).
 * Used by BatchMatMul and _FusedMatMul.
 */
export function matMulExplicit(backend: WasmBackendInternals, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): TensorInfo {
  const shapes = matMulShapes(a.shape, b.shape, transposeA, transposeB);
  const { outer, outShape } = shapes;
  const blas = nativeBlas();
  if (blas) return nativeMatMul(backend, blas, a, b, transposeA, transposeB, shapes);
  const owned: TensorInfo[] = [];
  try {
    const at = transposeA ? transposeLastTwo(backend, a) : a;
    if (transposeA) owned.push(at);
    const bt = transposeB ? transposeLastTwo(backend, b) : b;
    if (transposeB) owned.push(bt);
    return plainBatchMatMul(backend, at, bt, outer, outShape);
  } finally {
    for (const t of owned) backend.disposeData(t.dataId);
  }
}

export function batchMatMulKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { a, b } = inputs;
  if (a.dtype !== 'float32' || b.dtype !== 'float32') {
    throw new Error('BatchMatMul for non-float32 tensors is not supported on the wasm backend.');
  }
  return matMulExplicit(backend, a, b, Boolean(attrs?.transposeA), Boolean(attrs?.transposeB));
}
