/**
 * UnsortedSegmentSum for wasm, which lacks it (tfjs issue #8082): it is the gradient of gather, so embedding layers
 * cannot train on wasm without it. Reads the inputs straight from the wasm heap and writes the output there.
 * TensorFlow semantics: segmentIds' shape is a prefix of x's shape; output [numSegments, ...x.shape[ids.rank:]];
 * ids outside [0, numSegments) are dropped.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { type KernelArgs, sizeOf } from '../wasm-internals.js';

export function unsortedSegmentSumKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { x, segmentIds } = inputs;
  const numSegments = Number(attrs?.numSegments);
  const idsRank = segmentIds.shape.length;
  if (!Number.isInteger(numSegments) || numSegments < 0) {
    throw new Error(`UnsortedSegmentSum: numSegments must be a non-negative integer, got ${attrs?.numSegments}`);
  }
  if (segmentIds.dtype !== 'int32') throw new Error('UnsortedSegmentSum: segmentIds must be int32');
  if (x.dtype !== 'float32' && x.dtype !== 'int32') throw new Error(`UnsortedSegmentSum: unsupported dtype ${x.dtype}`);
  if (idsRank > x.shape.length || segmentIds.shape.some((d, i) => d !== x.shape[i])) {
    throw new Error(`UnsortedSegmentSum: segmentIds shape ${segmentIds.shape} must be a prefix of x shape ${x.shape}`);
  }
  const innerShape = x.shape.slice(idsRank);
  const inner = sizeOf(innerShape);
  // Allocate first: a heap growth detaches views taken earlier.
  const out = backend.makeOutput([numSegments, ...innerShape], x.dtype);
  const outVals = backend.typedArrayFromHeap(out);
  outVals.fill(0);
  if (outVals.length === 0 || inner === 0) return out;
  const xVals = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds) as Int32Array;
  if (outVals instanceof Float32Array) addRowsFloat(outVals, xVals as Float32Array, ids, inner, numSegments);
  else addRowsInt(outVals as Int32Array, xVals as Int32Array, ids, inner, numSegments);
  return out;
}

// One loop per element type keeps each monomorphic (a shared loop over either array type ran several times slower).
function addRowsFloat(out: Float32Array, x: Float32Array, ids: Int32Array, inner: number, numSegments: number): void {
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (id < 0 || id >= numSegments) continue;
    const src = i * inner;
    const dst = id * inner;
    for (let j = 0; j < inner; j++) out[dst + j] += x[src + j];
  }
}

function addRowsInt(out: Int32Array, x: Int32Array, ids: Int32Array, inner: number, numSegments: number): void {
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (id < 0 || id >= numSegments) continue;
    const src = i * inner;
    const dst = id * inner;
    for (let j = 0; j < inner; j++) out[dst + j] += x[src + j];
  }
}
