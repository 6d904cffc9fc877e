/**
 * Sum for wasm when the native BLAS is on: a sum over the leading axes (every bias gradient: dy [batch, seq, d]
 * summed to [d]) is one sgemv; the stock kernel transposes the reduced axes to the end first. Other sums go to
 * the stock kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { nativeBlas, nativeLeadingSum } from './native-matmul.js';
import { type KernelArgs, sizeOf, stockKernel } from './wasm-internals.js';

export function sumKernel(args: KernelArgs): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x } = inputs;
  const blas = nativeBlas();
  const axes = tf.util.parseAxisParam((attrs?.axis as number | number[]) ?? null, x.shape).sort((p, q) => p - q);
  const leading = axes.every((axis, i) => axis === i);
  if (!blas || x.dtype !== 'float32' || axes.length === 0 || axes.length === x.shape.length || !leading) {
    return stockKernel('Sum')(args) as TensorInfo;
  }
  const rest = x.shape.slice(axes.length);
  const outShape = attrs?.keepDims ? [...axes.map(() => 1), ...rest] : rest;
  return nativeLeadingSum(backend, blas, x, sizeOf(x.shape.slice(0, axes.length)), outShape);
}
