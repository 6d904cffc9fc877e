/**
 * Fused inference kernels for decoding recurrent models (LSTM/GRU) on wasm: a whole cell step, products included, in
 * one kernel call instead of ~14 (sampling one token is dispatch-bound). Registered with the other
 * inference kernels by index.ts; the models call them by name when the backend has them. Gate order and math as in
 * models/rnn.ts. Inputs: x [B, In] with kernel [In, G*H], or x = x@W [B, G*H] itself when no kernel is given (a
 * prompt's products over all steps are one matmul), or with attr row the embedding table [V, In] and a token;
 * recurrent [H, G*H]; bias [G*H]. No gradients are registered.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { matMulExplicit } from '../fixes/transpose-matmul.js';
import { type KernelArgs, type WasmBackendInternals, type WasmKernelFunc, runStock } from '../wasm-internals.js';

export const LSTM_CELL_KERNEL = 'InklingLstmCell';
export const GRU_CELL_KERNEL = 'InklingGruCell';
export const DENSE_KERNEL = 'InklingDense';

/**
 * The stock (vectorised) Sigmoid of values `fill` writes into a fresh [shape] buffer: with Math.exp/Math.tanh per
 * element in JS, a cell call was slower (bench/RESULTS.md). tanh(x) is taken as
 * 2 sigmoid(2x) - 1 (absolute error ~1e-7, as kernels/fixes/elementwise.ts). The caller disposes the result; views taken
 * before this call are stale.
 */
function stockSigmoidOf(backend: WasmBackendInternals, shape: number[], fill: (pre: Float32Array) => void): TensorInfo {
  const pre = backend.makeOutput(shape, 'float32');
  try {
    fill(backend.typedArrayFromHeap(pre) as Float32Array);
    return runStock('Sigmoid', backend, { x: pre });
  } finally {
    backend.disposeData(pre.dataId);
  }
}

function views(backend: WasmBackendInternals, ...ts: TensorInfo[]): Float32Array[] {
  return ts.map((t) => backend.typedArrayFromHeap(t) as Float32Array);
}

/** Checks the inputs of a cell with G gates over state s [B, H]; returns B and H. */
function cellShape(name: string, G: number, gates: TensorInfo[], biases: TensorInfo[], s: TensorInfo): [number, number] {
  if (s.shape.length !== 2) throw new Error(`${name}: the state must be [B, H], got [${s.shape}]`);
  const [B, H] = s.shape;
  for (const t of [...gates, ...biases, s]) if (t.dtype !== 'float32') throw new Error(`${name}: inputs must be float32`);
  for (const t of gates) {
    if (t.shape.length !== 2 || t.shape[0] !== B || t.shape[1] !== G * H) throw new Error(`${name}: gate input [${t.shape}] must be [${B}, ${G * H}]`);
  }
  for (const t of biases) {
    if (t.shape.length !== 1 || t.shape[0] !== G * H) throw new Error(`${name}: bias [${t.shape}] must be [${G * H}]`);
  }
  return [B, H];
}

/**
 * x@W (unless x is already that) and h@U through the BatchMatMul fix's path (native sgemv when loaded); owned: to
 * dispose. With attr row (a sampled token), x is the embedding table and its row is the input: no Slice call.
 */
function cellProducts(name: string, { inputs, backend, attrs }: KernelArgs) {
  const { kernel, h, recurrent } = inputs;
  let { x } = inputs;
  for (const t of [x, h, recurrent]) if (t == null) throw new Error(`${name}: needs inputs x, h and recurrent`);
  for (const t of [x, kernel, h, recurrent]) {
    if (t != null && (t.shape.length !== 2 || t.dtype !== 'float32')) throw new Error(`${name}: x, kernel, h and recurrent must be 2-D float32`);
  }
  const row = attrs?.row == null ? null : Number(attrs.row);
  if (row != null && (!kernel || !Number.isInteger(row) || row < 0 || row >= x.shape[0])) {
    throw new Error(`${name}: row ${attrs?.row} needs a kernel input and a row of x [${x.shape}]`);
  }
  const owned: TensorInfo[] = [];
  try {
    if (row != null) {
      const [, In] = x.shape;
      const picked = backend.makeOutput([1, In], 'float32');
      owned.push(picked);
      const [table, one] = views(backend, x, picked);
      one.set(table.subarray(row * In, (row + 1) * In));
      x = picked;
    }
    const xw = kernel ? matMulExplicit(backend, x, kernel, false, false) : x;
    if (kernel) owned.push(xw);
    const hU = matMulExplicit(backend, h, recurrent, false, false);
    owned.push(hU);
    return { xw, hU, owned };
  } catch (err) {
    for (const t of owned) backend.disposeData(t.dataId);
    throw err;
  }
}

/**
 * InklingLstmCell: x (and kernel), h [B, H], c [B, H], recurrent, bias -> [h', c'].
 * z = x@W + h@U + bias; gates i, f, g, o; c' = sigmoid(f) c + sigmoid(i) tanh(g); h' = sigmoid(o) tanh(c').
 */
export function lstmCellKernel(args: KernelArgs): TensorInfo[] {
  const { inputs, backend } = args;
  const { bias, c } = inputs;
  const products = cellProducts(LSTM_CELL_KERNEL, args);
  try {
    return lstmCell(backend, products.xw, products.hU, bias, c);
  } finally {
    for (const t of products.owned) backend.disposeData(t.dataId);
  }
}

function lstmCell(backend: WasmBackendInternals, xw: TensorInfo, hU: TensorInfo, bias: TensorInfo, c: TensorInfo): TensorInfo[] {
  const [B, H] = cellShape(LSTM_CELL_KERNEL, 4, [xw, hU], [bias], c);
  // Allocate first: a heap growth detaches views taken earlier.
  const hOut = backend.makeOutput([B, H], 'float32');
  const cOut = backend.makeOutput([B, H], 'float32');
  if (B * H === 0) return [hOut, cOut];
  const G = 4 * H;
  const gates = stockSigmoidOf(backend, [B, G], (pre) => {
    const [x, u, b] = views(backend, xw, hU, bias);
    for (let r = 0; r < B; r++) {
      const o = r * G;
      for (let j = 0; j < G; j++) pre[o + j] = x[o + j] + u[o + j] + b[j];
      for (let j = o + 2 * H; j < o + 3 * H; j++) pre[j] *= 2; // g: tanh
    }
  });
  const cellTanh = stockSigmoidOf(backend, [B, H], (pre) => {
    const [s, cv, co] = views(backend, gates, c, cOut);
    for (let r = 0; r < B; r++) {
      for (let j = 0; j < H; j++) {
        const z = r * G + j;
        co[r * H + j] = s[z + H] * cv[r * H + j] + s[z] * (2 * s[z + 2 * H] - 1);
        pre[r * H + j] = 2 * co[r * H + j];
      }
    }
  });
  const [s, t, ho] = views(backend, gates, cellTanh, hOut);
  for (let r = 0; r < B; r++) for (let j = 0; j < H; j++) ho[r * H + j] = s[r * G + 3 * H + j] * (2 * t[r * H + j] - 1);
  backend.disposeData(gates.dataId);
  backend.disposeData(cellTanh.dataId);
  return [hOut, cOut];
}

/**
 * InklingGruCell: x (and kernel), h [B, H], recurrent, bias, recurrentBias [3H] -> h'.
 * Gates z, r, n with the reset gate on h@U + recurrentBias (as rnn.ts): z = sigmoid(xz + bz + hz + rbz),
 * r likewise, n = tanh(xn + bn + r (hn + rbn)), h' = n + z (h - n).
 */
export function gruCellKernel(args: KernelArgs): TensorInfo {
  const { inputs, backend } = args;
  const { bias, recurrentBias, h } = inputs;
  const products = cellProducts(GRU_CELL_KERNEL, args);
  try {
    return gruCell(backend, products.xw, products.hU, bias, recurrentBias, h);
  } finally {
    for (const t of products.owned) backend.disposeData(t.dataId);
  }
}

function gruCell(backend: WasmBackendInternals, xw: TensorInfo, hU: TensorInfo, bias: TensorInfo, recurrentBias: TensorInfo, h: TensorInfo): TensorInfo {
  const [B, H] = cellShape(GRU_CELL_KERNEL, 3, [xw, hU], [bias, recurrentBias], h);
  const out = backend.makeOutput([B, H], 'float32');
  if (B * H === 0) return out;
  const G = 3 * H;
  const zr = stockSigmoidOf(backend, [B, 2 * H], (pre) => {
    const [x, u, b, rb] = views(backend, xw, hU, bias, recurrentBias);
    for (let r = 0; r < B; r++) for (let j = 0; j < 2 * H; j++) pre[r * 2 * H + j] = x[r * G + j] + b[j] + u[r * G + j] + rb[j];
  });
  const n = stockSigmoidOf(backend, [B, H], (pre) => {
    const [x, u, b, rb, s] = views(backend, xw, hU, bias, recurrentBias, zr);
    for (let r = 0; r < B; r++) {
      for (let j = 0; j < H; j++) {
        const k = r * G + 2 * H + j;
        pre[r * H + j] = 2 * (x[k] + b[2 * H + j] + s[r * 2 * H + H + j] * (u[k] + rb[2 * H + j]));
      }
    }
  });
  const [o, s, t, hv] = views(backend, out, zr, n, h);
  for (let r = 0; r < B; r++) {
    for (let j = 0; j < H; j++) {
      const nj = 2 * t[r * H + j] - 1;
      o[r * H + j] = nj + s[r * 2 * H + j] * (hv[r * H + j] - nj);
    }
  }
  backend.disposeData(zr.dataId);
  backend.disposeData(n.dataId);
  return out;
}

/**
 * InklingDense: x [B, In] @ kernel [In, N] + bias [N] in one call (a recurrent model's head; the product through the
 * BatchMatMul fix's path, native sgemv when loaded, the bias through the stock vectorised Add).
 */
export function denseKernel({ inputs, backend }: KernelArgs): TensorInfo {
  const { x, kernel, bias } = inputs;
  for (const t of [x, kernel, bias]) if (t == null || t.dtype !== 'float32') throw new Error(`${DENSE_KERNEL}: needs float32 x, kernel and bias`);
  const N = kernel.shape[kernel.shape.length - 1];
  if (x.shape.length !== 2 || kernel.shape.length !== 2 || bias.shape.length !== 1 || bias.shape[0] !== N) {
    throw new Error(`${DENSE_KERNEL}: x [${x.shape}], kernel [${kernel.shape}] and bias [${bias.shape}] must be [B, In], [In, N] and [N]`);
  }
  const product = matMulExplicit(backend, x, kernel, false, false);
  try {
    return runStock('Add', backend, { a: product, b: bias });
  } finally {
    backend.disposeData(product.dataId);
  }
}

export const RECURRENT_DECODE_KERNELS: Record<string, WasmKernelFunc> = {
  [LSTM_CELL_KERNEL]: lstmCellKernel,
  [GRU_CELL_KERNEL]: gruCellKernel,
  [DENSE_KERNEL]: denseKernel,
};
