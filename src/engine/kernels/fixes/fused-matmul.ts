/**
 * _FusedMatMul (tf.fused.matMul: matmul + bias + activation) for wasm. The stock kernel is slow with transposes and
 * wrong with a bias when B is transposed or the inputs are rank 3. Unbatched products with no transposes and a rank-1 bias
 * keep the stock fused path; everything else is our BatchMatMul, then the stock Add and activation kernels.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { asCachedWeights, matMulExplicit } from './transpose-matmul.js';
import { type KernelArgs, type WasmBackendInternals, runStock } from '../wasm-internals.js';

const activationKernels: Record<string, string> = {
  relu: 'Relu',
  relu6: 'Relu6',
  elu: 'Elu',
  sigmoid: 'Sigmoid',
  leakyrelu: 'LeakyRelu',
  prelu: 'Prelu',
};

function activate(backend: WasmBackendInternals, x: TensorInfo, args: KernelArgs): TensorInfo {
  const activation = String(args.attrs?.activation ?? 'linear');
  if (activation === 'linear') return x;
  const kernel = activationKernels[activation];
  if (!kernel) throw new Error(`_FusedMatMul: activation '${activation}' is not supported on the wasm backend`);
  try {
    if (activation === 'prelu') return runStock(kernel, backend, { x, alpha: args.inputs.preluActivationWeights });
    if (activation === 'leakyrelu') return runStock(kernel, backend, { x }, { alpha: Number(args.attrs?.leakyreluAlpha ?? 0.2) });
    return runStock(kernel, backend, { x });
  } finally {
    backend.disposeData(x.dataId);
  }
}

export function fusedMatMulKernel(args: KernelArgs): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { a, b, bias } = inputs;
  const transposeA = Boolean(attrs?.transposeA);
  const transposeB = Boolean(attrs?.transposeB);
  if (a.dtype !== 'float32' || b.dtype !== 'float32') {
    throw new Error('_FusedMatMul for non-float32 tensors is not supported on the wasm backend.');
  }
  const unbatched = (t: TensorInfo) => t.shape.slice(0, -2).every((d) => d === 1);
  const stockIsRight = !transposeA && !transposeB && unbatched(a) && unbatched(b) && (bias == null || bias.shape.length === 1);
  if (stockIsRight) {
    const owned: TensorInfo[] = [];
    try {
      return runStock('_FusedMatMul', backend, { ...inputs, b: asCachedWeights(backend, b, owned) }, attrs);
    } finally {
      for (const t of owned) backend.disposeData(t.dataId);
    }
  }
  const product = matMulExplicit(backend, a, b, transposeA, transposeB);
  let biased = product;
  if (bias != null) {
    try {
      biased = runStock('Add', backend, { a: product, b: bias });
    } finally {
      backend.disposeData(product.dataId);
    }
  }
  return activate(backend, biased, args);
}
