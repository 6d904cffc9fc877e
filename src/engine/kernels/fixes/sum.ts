/**
 * Sum for wasm over the leading axes (every bias gradient: dy [batch, seq, d] summed to [d]), which the stock
 * kernel does by transposing the reduced axes to the end first: one sgemv with the native BLAS, else a
 * ones[1, rows] x x[rows, cols] product on the stock XNNPACK path. Other sums go to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { nativeBlas, nativeLeadingSum } from '../native-matmul.js';
import { plainBatchMatMul } from './transpose-matmul.js';
import { type KernelArgs, reshaped, sizeOf, stockKernel } from '../wasm-internals.js';

export function sumKernel(args: KernelArgs): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x } = inputs;
  const blas = nativeBlas();
  const axes = tf.util.parseAxisParam((attrs?.axis as number | number[]) ?? null, x.shape).sort((p, q) => p - q);
  const leading = axes.every((axis, i) => axis === i);
  if (x.dtype !== 'float32' || axes.length === 0 || axes.length === x.shape.length || !leading) {
    return stockKernel('Sum')(args) as TensorInfo;
  }
  const rest = x.shape.slice(axes.length);
  const outShape = attrs?.keepDims ? [...axes.map(() => 1), ...rest] : rest;
  const rows = sizeOf(x.shape.slice(0, axes.length));
  const cols = sizeOf(rest);
  if (blas) return nativeLeadingSum(backend, blas, x, rows, outShape);
  if (rows * cols === 0) return stockKernel('Sum')(args) as TensorInfo;
  const ones = backend.makeOutput([1, rows], 'float32');
  backend.typedArrayFromHeap(ones).fill(1);
  try {
    return reshaped(plainBatchMatMul(backend, ones, reshaped(x, [rows, cols]), [], [1, cols]), outShape);
  } finally {
    backend.disposeData(ones.dataId);
  }
}
