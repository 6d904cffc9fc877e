/**
 * InklingDecodeBlock for wasm, inference only: a whole pre-LayerNorm GPT block for T new positions of one sequence
 * over its key/value cache, in one kernel call instead of ~10 to ~20: x + proj(attention(LN1(x) qkv)), then
 * + mlpProj(GELU(LN2(.) fc)). Inputs x [T, d]; the block's weights ln1 [d], qkv [d, 3d], proj [d, d], ln2 [d],
 * fc [d, f], mlpProj [f, d]; optionally the cache k, v [1, H, L, hs] (see attention-math.ts). Attrs heads, epsilon.
 * Outputs x' [T, d], k' and v' [1, H, L + T, hs]. The pieces are the kernels the composite path runs (LayerNorm,
 * the matmul fix), called directly: dispatch through the engine is what a decoded token mostly pays for.
 * No gradient is registered.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { GELU_A, GELU_B } from '../../ops/gelu.js';
import { LAYER_NORM_EPSILON } from '../../ops/layer-norm.js';
import { attendOnHeap, cacheProblem } from './attention-math.js';
import { matMulExplicit } from '../fixes/transpose-matmul.js';
import { layerNormKernel } from './layer-norm.js';
import { type KernelArgs, type WasmBackendInternals, reshaped, runStock } from '../wasm-internals.js';

export const DECODE_BLOCK_KERNEL = 'InklingDecodeBlock';

function blockError(what: string): Error {
  return new Error(`${DECODE_BLOCK_KERNEL}: ${what}`);
}

export function decodeBlockKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const { x, ln1, qkv, proj, ln2, fc, mlpProj, k: pastK, v: pastV } = inputs;
  const H = Number(attrs?.heads);
  const epsilon = Number(attrs?.epsilon ?? LAYER_NORM_EPSILON);
  const [T, d] = x.shape;
  const f = fc?.shape[1] ?? 0;
  const hs = d / H;
  if (x.shape.length !== 2 || T < 1 || x.dtype !== 'float32') throw blockError(`x shape ${x.shape} must be [T, d] (float32, T >= 1)`);
  if (!Number.isInteger(H) || H < 1 || !Number.isInteger(hs)) throw blockError(`heads ${attrs?.heads} must divide the width ${d}`);
  const expected: Array<[string, TensorInfo | undefined, number[]]> = [
    ['ln1', ln1, [d]], ['qkv', qkv, [d, 3 * d]], ['proj', proj, [d, d]], ['ln2', ln2, [d]], ['fc', fc, [d, f]], ['mlpProj', mlpProj, [f, d]],
  ];
  for (const [name, t, shape] of expected) {
    if (!t || t.dtype !== 'float32' || t.shape.join() !== shape.join()) throw blockError(`${name} shape ${t?.shape} must be [${shape}] (float32)`);
  }
  const problem = cacheProblem(pastK, pastV, H, hs);
  if (problem) throw blockError(problem);

  const temps: TensorInfo[] = [];
  const temp = (t: TensorInfo) => {
    temps.push(t);
    return t;
  };
  // As tf.matMul runs them: a [1, T, k] times b [1, k, n]; the product viewed as [T, n].
  const product = (a: TensorInfo, b: TensorInfo) => {
    const out = temp(matMulExplicit(backend, reshaped(a, [1, T, b.shape[0]]), reshaped(b, [1, ...b.shape]), false, false));
    return reshaped(out, [T, b.shape[1]]);
  };
  try {
    const normed1 = temp(layerNormKernel({ inputs: { x, gamma: ln1 }, backend, attrs: { epsilon } }));
    const [y, kOut, vOut] = attendOnHeap(backend, product(normed1, qkv), pastK ?? null, pastV ?? null, H);
    temp(y);
    const attended = product(y, proj);
    const out = backend.makeOutput([T, d], 'float32');
    addInto(backend, out, x, attended);
    const normed2 = temp(layerNormKernel({ inputs: { x: out, gamma: ln2 }, backend, attrs: { epsilon } }));
    const mlp = product(temp(geluOnHeap(backend, product(normed2, fc))), mlpProj);
    addInto(backend, out, out, mlp);
    return [out, kOut, vOut];
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

/**
 * InklingGelu's x * sigmoid(x (A + B x^2)) (see gelu.ts) with the sigmoid in the stock vectorised kernel: per
 * decoded token V8's Math.exp cost more than the rest of the GELU. Returns a new tensor the caller owns.
 */
function geluOnHeap(backend: WasmBackendInternals, x: TensorInfo): TensorInfo {
  const t = backend.makeOutput(x.shape, 'float32');
  let gate: TensorInfo;
  try {
    const xv = backend.typedArrayFromHeap(x) as Float32Array;
    const tv = backend.typedArrayFromHeap(t) as Float32Array;
    for (let i = 0; i < tv.length; i++) tv[i] = xv[i] * (GELU_A + GELU_B * xv[i] * xv[i]);
    gate = runStock('Sigmoid', backend, { x: t });
  } finally {
    backend.disposeData(t.dataId);
  }
  const xv = backend.typedArrayFromHeap(x) as Float32Array;
  const gv = backend.typedArrayFromHeap(gate) as Float32Array;
  for (let i = 0; i < gv.length; i++) gv[i] *= xv[i];
  return gate;
}

/** out = a + b elementwise, in float32 like the Add kernel (out may be a). */
function addInto(backend: WasmBackendInternals, out: TensorInfo, a: TensorInfo, b: TensorInfo): void {
  const o = backend.typedArrayFromHeap(out) as Float32Array;
  const av = backend.typedArrayFromHeap(a) as Float32Array;
  const bv = backend.typedArrayFromHeap(b) as Float32Array;
  for (let i = 0; i < o.length; i++) o[i] = av[i] + bv[i];
}
