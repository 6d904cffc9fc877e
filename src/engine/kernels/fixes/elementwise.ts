/**
 * Three cheap element-wise kernels for wasm (figures: bench/RESULTS.md, "Figures moved out of source comments"):
 * - Tanh: the stock kernel is scalar while Sigmoid is vectorised; tanh(x) = 2 sigmoid(2x) - 1 (absolute error
 *   ~1e-7) in four vectorised passes is several times faster. GELU and every LSTM/GRU step use tanh.
 * - Exp: also scalar in stock; softmax cross-entropy over a 10k vocabulary spent a large share of a step there.
 * - Identity: the stock kernel copies; the cpu backend and the wasm Reshape share the data and count a
 *   reference instead, which is safe because no wasm kernel writes into its inputs.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { type KernelArgs, runStock, sizeOf, stockKernel } from '../wasm-internals.js';

interface RefCounting {
  incRef(dataId: object): void;
}

/** A float32 scalar on the heap, owned by the caller. */
function scalar(backend: KernelArgs['backend'], value: number): TensorInfo {
  const t = backend.makeOutput([], 'float32');
  backend.typedArrayFromHeap(t)[0] = value;
  return t;
}

export function tanhKernel(args: KernelArgs): TensorInfo {
  const { inputs, backend } = args;
  const { x } = inputs;
  // Small inputs (one sampling step) are cheaper in one stock call than in four.
  if (x.dtype !== 'float32' || sizeOf(x.shape) < 4096) return stockKernel('Tanh')(args) as TensorInfo;
  // Stock vectorised kernels for every pass: JS loops over the heap cost more than the wasm calls.
  const two = scalar(backend, 2);
  const minusOne = scalar(backend, -1);
  const owned = [two, minusOne];
  try {
    const doubled = runStock('Multiply', backend, { a: x, b: two });
    owned.push(doubled);
    const s = runStock('Sigmoid', backend, { x: doubled });
    owned.push(s);
    const scaled = runStock('Multiply', backend, { a: s, b: two });
    owned.push(scaled);
    return runStock('Add', backend, { a: scaled, b: minusOne });
  } finally {
    for (const t of owned) backend.disposeData(t.dataId);
  }
}

/**
 * exp(x) = sigmoid(x) / sigmoid(-x): exact algebra, no cancellation on either side, two vectorised sigmoids.
 * Relative error ~1e-6; for |x| > 87 (float32 exp within a few x of under/overflow) it gives 0 or Infinity.
 */
export function expKernel(args: KernelArgs): TensorInfo {
  const { inputs, backend } = args;
  const { x } = inputs;
  if (x.dtype !== 'float32' || sizeOf(x.shape) < 4096) return stockKernel('Exp')(args) as TensorInfo;
  const owned: TensorInfo[] = [];
  try {
    const negated = runStock('Neg', backend, { x });
    owned.push(negated);
    const up = runStock('Sigmoid', backend, { x });
    owned.push(up);
    const down = runStock('Sigmoid', backend, { x: negated });
    owned.push(down);
    return runStock('RealDiv', backend, { a: up, b: down });
  } finally {
    for (const t of owned) backend.disposeData(t.dataId);
  }
}

export function identityKernel(args: KernelArgs): TensorInfo {
  const { x } = args.inputs;
  if (x.dtype === 'string') return stockKernel('Identity')(args) as TensorInfo;
  (args.backend as unknown as RefCounting).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}
