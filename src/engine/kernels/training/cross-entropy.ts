/**
 * Sparse softmax cross-entropy for wasm around the stock (XNNPACK) Softmax: the composite loss spent much of a
 * 10k-word LSTM step in max, subtract, exp (no fast exp on wasm) and row sums over [1024, 10001], and its gradient
 * three more passes plus a scatter. Here the forward pass is one Softmax call and a per-row pick, the backward
 * pass one vectorised scaling of the saved probabilities with the N target entries patched in place.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { type KernelArgs, runStock, sizeOf } from '../wasm-internals.js';

/**
 * Mean over rows of -log(probs[row, target]): inputs logits, probs [N, V] float32, targets [N] int32; a scalar.
 * With an optional `weights` input [N] float32 (a masked mean's mask/count): the weighted sum instead.
 */
export const XENT_LOSS = 'InklingXentLoss';
/** (probs - oneHot(targets)) * dy / N: inputs probs [N, V], targets [N], dy a scalar; with `weights`, row r scaled by dy * weights[r]. */
export const XENT_GRAD = 'InklingXentGrad';

/** Below this a float32 probability may have lost precision (FLT_MIN ~1.2e-38): such rows use logsumexp instead. */
const SMALLEST_EXACT = 1e-37;

function checkShapes(kernel: string, probs: TensorInfo, targets: TensorInfo): { N: number; V: number } {
  if (probs.dtype !== 'float32' || probs.shape.length !== 2) throw new Error(`${kernel}: probabilities must be float32 [N, V]`);
  const [N, V] = probs.shape;
  if (targets.dtype !== 'int32' || sizeOf(targets.shape) !== N) throw new Error(`${kernel}: targets must be int32 with ${N} entries`);
  return { N, V };
}

function checkTarget(t: number, V: number): void {
  if (!(t >= 0 && t < V)) throw new Error(`target id ${t} is outside the vocabulary of ${V}`);
}

export function crossEntropyLossKernel({ inputs, backend }: KernelArgs): TensorInfo {
  const { logits, probs, targets, weights } = inputs;
  const { N, V } = checkShapes(XENT_LOSS, probs, targets);
  const out = backend.makeOutput([], 'float32');
  // Heap views are taken after the allocations above (a growing heap detaches older views).
  const w = weights ? rowWeights(XENT_LOSS, backend, weights, N) : null;
  const p = backend.typedArrayFromHeap(probs) as Float32Array;
  const x = backend.typedArrayFromHeap(logits) as Float32Array;
  const ids = backend.typedArrayFromHeap(targets) as Int32Array;
  let total = 0;
  for (let r = 0; r < N; r++) {
    const t = ids[r];
    checkTarget(t, V);
    if (w && w[r] === 0) continue;
    const picked = p[r * V + t];
    const loss = picked >= SMALLEST_EXACT ? -Math.log(picked) : logSumExp(x, r * V, V) - x[r * V + t];
    total += w ? w[r] * loss : loss;
  }
  backend.typedArrayFromHeap(out)[0] = w ? total : N > 0 ? total / N : NaN;
  return out;
}

function rowWeights(kernel: string, backend: KernelArgs['backend'], weights: TensorInfo, N: number): Float32Array {
  if (weights.dtype !== 'float32' || sizeOf(weights.shape) !== N) throw new Error(`${kernel}: weights must be float32 with ${N} entries`);
  return backend.typedArrayFromHeap(weights) as Float32Array;
}

function logSumExp(x: Float32Array, start: number, V: number): number {
  let max = -Infinity;
  for (let j = start; j < start + V; j++) if (x[j] > max) max = x[j];
  let sum = 0;
  for (let j = start; j < start + V; j++) sum += Math.exp(x[j] - max);
  return max + Math.log(sum);
}

export function crossEntropyGradKernel({ inputs, backend }: KernelArgs): TensorInfo {
  const { probs, targets, dy, weights } = inputs;
  const { N, V } = checkShapes(XENT_GRAD, probs, targets);
  if (dy.dtype !== 'float32' || sizeOf(dy.shape) !== 1) throw new Error(`${XENT_GRAD}: dy must be a float32 scalar`);
  const d = backend.typedArrayFromHeap(dy)[0] as number;
  // One factor for every row (dy / N), or one per row (dy * weight) broadcast over the row by the stock Multiply.
  const factor = backend.makeOutput(weights ? [N, 1] : [], 'float32');
  // Kept in float64 for the one-hot subtraction below, as the unmasked loss always did (same-seed runs unchanged).
  const rowScale = new Float64Array(weights ? N : 1);
  if (weights) {
    const w = rowWeights(XENT_GRAD, backend, weights, N);
    for (let r = 0; r < N; r++) rowScale[r] = d * w[r];
  } else {
    rowScale[0] = d / N;
  }
  backend.typedArrayFromHeap(factor).set(rowScale);
  let out: TensorInfo;
  try {
    out = runStock('Multiply', backend, { a: probs, b: factor });
  } finally {
    backend.disposeData(factor.dataId);
  }
  // Our own fresh output: patching it in place is safe.
  const g = backend.typedArrayFromHeap(out) as Float32Array;
  const ids = backend.typedArrayFromHeap(targets) as Int32Array;
  for (let r = 0; r < N; r++) {
    checkTarget(ids[r], V);
    g[r * V + ids[r]] -= rowScale[weights ? r : 0];
  }
  return out;
}

export const CROSS_ENTROPY_KERNELS = { [XENT_LOSS]: crossEntropyLossKernel, [XENT_GRAD]: crossEntropyGradKernel };
