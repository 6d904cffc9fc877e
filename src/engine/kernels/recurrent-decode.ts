/**
 * Fused inference kernels for decoding recurrent models (LSTM/GRU) on wasm: everything of a cell step after the two
 * products in one kernel call instead of ~11 (sampling one token is dispatch-bound). Registered with the other
 * inference kernels by index.ts; the models call them by name when the backend has them. Gate order and math as in
 * models/rnn.ts. The products stay outside: they are already cheap (native sgemv). No gradients are registered.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelArgs, WasmKernelFunc } from './wasm-internals.js';

export const LSTM_CELL_KERNEL = 'InklingLstmCell';
export const GRU_CELL_KERNEL = 'InklingGruCell';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x)); // exp overflowing to Infinity gives 0, the right limit

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
 * InklingLstmCell: xw [B, 4H] = x@W (no bias), hU [B, 4H] = h@U, bias [4H], c [B, H] -> [h', c'].
 * z = xw + hU + bias; gates i, f, g, o; c' = sigmoid(f) c + sigmoid(i) tanh(g); h' = sigmoid(o) tanh(c').
 */
export function lstmCellKernel({ inputs, backend }: KernelArgs): TensorInfo[] {
  const { xw, hU, bias, c } = inputs;
  const [B, H] = cellShape(LSTM_CELL_KERNEL, 4, [xw, hU], [bias], c);
  // Allocate first: a heap growth detaches views taken earlier.
  const hOut = backend.makeOutput([B, H], 'float32');
  const cOut = backend.makeOutput([B, H], 'float32');
  if (B * H === 0) return [hOut, cOut];
  const [ho, co] = [backend.typedArrayFromHeap(hOut), backend.typedArrayFromHeap(cOut)] as Float32Array[];
  const [x, u, b, cv] = [xw, hU, bias, c].map((t) => backend.typedArrayFromHeap(t)) as Float32Array[];
  for (let r = 0; r < B; r++) {
    const z = r * 4 * H;
    const s = r * H;
    for (let j = 0; j < H; j++) {
      const i = sigmoid(x[z + j] + u[z + j] + b[j]);
      const f = sigmoid(x[z + H + j] + u[z + H + j] + b[H + j]);
      const g = Math.tanh(x[z + 2 * H + j] + u[z + 2 * H + j] + b[2 * H + j]);
      const o = sigmoid(x[z + 3 * H + j] + u[z + 3 * H + j] + b[3 * H + j]);
      // Round c' to float32 before tanh, as the composite path stores it.
      const cNext = Math.fround(f * cv[s + j] + i * g);
      co[s + j] = cNext;
      ho[s + j] = o * Math.tanh(cNext);
    }
  }
  return [hOut, cOut];
}

/**
 * InklingGruCell: xw [B, 3H] = x@W (no bias), hU [B, 3H] = h@U, bias [3H], recurrentBias [3H], h [B, H] -> h'.
 * Gates z, r, n with the reset gate on h@U + recurrentBias (as rnn.ts): z = sigmoid(xz + bz + hz + rbz),
 * r likewise, n = tanh(xn + bn + r (hn + rbn)), h' = n + z (h - n).
 */
export function gruCellKernel({ inputs, backend }: KernelArgs): TensorInfo {
  const { xw, hU, bias, recurrentBias, h } = inputs;
  const [B, H] = cellShape(GRU_CELL_KERNEL, 3, [xw, hU], [bias, recurrentBias], h);
  const out = backend.makeOutput([B, H], 'float32');
  if (B * H === 0) return out;
  const o = backend.typedArrayFromHeap(out) as Float32Array;
  const [x, u, b, rb, hv] = [xw, hU, bias, recurrentBias, h].map((t) => backend.typedArrayFromHeap(t)) as Float32Array[];
  for (let row = 0; row < B; row++) {
    const g = row * 3 * H;
    const s = row * H;
    for (let j = 0; j < H; j++) {
      const z = sigmoid(x[g + j] + b[j] + u[g + j] + rb[j]);
      const r = sigmoid(x[g + H + j] + b[H + j] + u[g + H + j] + rb[H + j]);
      const n = Math.tanh(x[g + 2 * H + j] + b[2 * H + j] + r * (u[g + 2 * H + j] + rb[2 * H + j]));
      o[s + j] = n + z * (hv[s + j] - n);
    }
  }
  return out;
}

export const RECURRENT_DECODE_KERNELS: Record<string, WasmKernelFunc> = {
  [LSTM_CELL_KERNEL]: lstmCellKernel,
  [GRU_CELL_KERNEL]: gruCellKernel,
};
