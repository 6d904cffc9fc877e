/**
 * GatherV2 for wasm: the stock kernel is slow on an embedding lookup (every training step and prompt); copying
 * each selected run heap to heap is far quicker (bench/RESULTS.md, 2a23be7). batchDims > 0 and string tensors go
 * to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { type KernelArgs, sizeOf, stockKernel } from '../wasm-internals.js';

export function gatherKernel(args: KernelArgs): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, indices } = inputs;
  const batchDims = Number(attrs?.batchDims ?? 0);
  if (batchDims !== 0 || x.dtype === 'string' || indices.dtype !== 'int32') return stockKernel('GatherV2')(args) as TensorInfo;
  const axis = tf.util.parseAxisParam(attrs?.axis as number, x.shape)[0];
  const axisDim = x.shape[axis];
  const ids = backend.typedArrayFromHeap(indices) as Int32Array;
  for (let i = 0; i < ids.length; i++) {
    // The stock kernel's check and message: an out-of-range gather is an error, not garbage.
    if (!(ids[i] >= 0 && ids[i] < axisDim)) throw new Error(`GatherV2: the index value ${ids[i]} is not in [0, ${axisDim - 1}]`);
  }
  const outer = sizeOf(x.shape.slice(0, axis));
  const inner = sizeOf(x.shape.slice(axis + 1));
  const outShape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
  // Allocate first: a heap growth detaches views taken earlier.
  const out = backend.makeOutput(outShape, x.dtype);
  if (sizeOf(outShape) === 0) return out;
  const o = backend.typedArrayFromHeap(out);
  const v = backend.typedArrayFromHeap(x);
  const picked = backend.typedArrayFromHeap(indices) as Int32Array;
  const n = picked.length;
  if (inner === 1) {
    for (let b = 0; b < outer; b++) {
      const src = b * axisDim;
      const dst = b * n;
      for (let i = 0; i < n; i++) o[dst + i] = v[src + picked[i]];
    }
    return out;
  }
  for (let b = 0; b < outer; b++) {
    for (let i = 0; i < n; i++) {
      const src = (b * axisDim + picked[i]) * inner;
      o.set(v.subarray(src, src + inner), (b * n + i) * inner);
    }
  }
  return out;
}
