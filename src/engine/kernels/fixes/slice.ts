/**
 * Slice, SplitV and Unpack (tf.unstack) for wasm without the stock kernels' habit of copying the whole input out of the heap (readSync)
 * for every piece: we copy only the selected runs, heap to heap. SplitV and Unpack call the stock internal slice,
 * so they are replaced too (unstacking an LSTM's input was a large share of a step; bench/RESULTS.md).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { type KernelArgs, type WasmBackendInternals, stockKernel, sizeOf } from '../wasm-internals.js';

function copySlice(backend: WasmBackendInternals, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  // Allocate first: a heap growth detaches views taken earlier.
  const out = backend.makeOutput(size, x.dtype);
  const total = sizeOf(size);
  if (total === 0) return out;
  const outVals = backend.typedArrayFromHeap(out);
  const xVals = backend.typedArrayFromHeap(x);
  const rank = x.shape.length;
  const strides = tf.util.computeStrides(x.shape);
  // Merge the trailing dims that are taken whole into one contiguous run.
  let runDim = rank - 1;
  while (runDim > 0 && size[runDim] === x.shape[runDim]) runDim--;
  const run = runDim < 0 ? total : sizeOf(size.slice(runDim));
  const runs = total / run;
  const idx = new Array<number>(Math.max(runDim, 0)).fill(0);
  for (let r = 0; r < runs; r++) {
    let offset = 0;
    for (let d = 0; d < runDim; d++) offset += (begin[d] + idx[d]) * strides[d];
    if (runDim >= 0 && rank > 0) offset += begin[runDim] * (runDim < rank - 1 ? strides[runDim] : 1);
    outVals.set(xVals.subarray(offset, offset + run), r * run);
    for (let d = runDim - 1; d >= 0; d--) {
      if (++idx[d] < size[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

export function sliceKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { x } = inputs;
  if (x.dtype === 'string') return stockKernel('Slice')({ inputs, backend, attrs }) as TensorInfo;
  const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs?.begin as number[], attrs?.size as number[]);
  tf.slice_util.assertParamsValid(x as tf.Tensor, begin, size);
  return copySlice(backend, x, begin, size);
}

export function splitVKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const { x } = inputs;
  if (x.dtype === 'string') return stockKernel('SplitV')({ inputs, backend, attrs }) as TensorInfo[];
  const axis = tf.util.parseAxisParam(attrs?.axis as number, x.shape)[0];
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, attrs?.numOrSizeSplits as number[] | number, axis);
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = x.shape.slice();
    size[axis] = s;
    const piece = copySlice(backend, x, begin.slice(), size);
    begin[axis] += s;
    return piece;
  });
}

export function unpackKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const x = inputs.value;
  if (x.dtype === 'string') return stockKernel('Unpack')({ inputs, backend, attrs }) as TensorInfo[];
  const rank = x.shape.length;
  const axis = tf.util.parseAxisParam(attrs?.axis as number, x.shape)[0];
  const outShape = x.shape.filter((_, i) => i !== axis);
  const size = x.shape.slice();
  size[axis] = 1;
  return Array.from({ length: x.shape[axis] }, (_, i) => {
    const begin = new Array<number>(rank).fill(0);
    begin[axis] = i;
    const piece = copySlice(backend, x, begin, size);
    return { dataId: piece.dataId, shape: outShape, dtype: piece.dtype };
  });
}
