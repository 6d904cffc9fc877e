/**
 * Fused training kernels for wasm, in hand-written WebAssembly SIMD (simd/*.wat) run on the tfjs wasm
 * backend's own memory: LayerNorm forward and backward, GELU forward (around the stock sigmoid) and backward, softmax's gradient and the
 * whole AdamW update.
 * Each replaces a chain of 4-25 stock kernel calls (each a separate pass over the data plus its dispatch);
 * JS loops over the heap were slower than those chains, these SIMD passes are faster (bench/RESULTS.md). An exp written
 * here was slower than the stock (XNNPACK) sigmoid, so GELU keeps that call. The models and the optimizer call
 * them by name where the active backend registers them, and keep their composite paths elsewhere.
 */
import * as tf from '@tensorflow/tfjs-core';
import { LAYER_NORM_EPSILON } from '../../ops/layer-norm.js';
import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { TRAINING_WASM } from '../simd/training-wasm.js';
import { type KernelArgs, type WasmBackendInternals, runStock, sizeOf } from '../wasm-internals.js';

export const TRAIN_GELU = 'InklingTrainGelu';
export const TRAIN_GELU_GRAD = 'InklingTrainGeluGrad';
export const TRAIN_LAYER_NORM = 'InklingTrainLayerNorm';
export const TRAIN_LAYER_NORM_GRAD = 'InklingTrainLayerNormGrad';
export const TRAIN_SOFTMAX = 'InklingTrainSoftmax';
export const TRAIN_SOFTMAX_GRAD = 'InklingTrainSoftmaxGrad';
export const ADAMW = 'InklingAdamW';

export interface TrainingExports {
  gelu_arg(x: number, t: number, n: number): void;
  mul(a: number, b: number, y: number, n: number): void;
  gelu_grad(dy: number, x: number, s: number, dx: number, n: number): void;
  layer_norm(x: number, g: number, y: number, rows: number, C: number, eps: number): void;
  layer_norm_grad(dy: number, x: number, g: number, dx: number, dg: number, rows: number, C: number, eps: number): void;
  softmax_grad(dy: number, y: number, dx: number, rows: number, C: number): void;
  lstm_cell(xw: number, hu: number, cPrev: number, acts: number, c: number, h: number, tc: number, B: number, H: number): void;
  lstm_cell_grad(
    dy: number, dhu: number, hasDhu: number, dcNext: number, acts: number, cPrev: number, tc: number, dz: number, B: number, H: number,
  ): void;
  sum_squares(x: number, n: number): number;
  split_qkv(qkv: number, q: number, k: number, v: number, B: number, T: number, H: number, hs: number, scale: number): void;
  join_qkv(dq: number, dk: number, dv: number, dqkv: number, B: number, T: number, H: number, hs: number, scale: number): void;
  adamw(
    g: number, m: number, v: number, w: number, mo: number, vo: number, wo: number, n: number,
    scale: number, beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number,
    bc1: number, bc2: number, eps: number, keep: number, lr: number,
  ): void;
}

type WithMemory = WasmBackendInternals & { wasm: { asm?: { memory?: WebAssembly.Memory } } };

/** The compiled modules, or null where this runtime lacks WebAssembly SIMD (then no fused kernel is installed). */
const compiled = compileModules();

function compileModules(): WebAssembly.Module[] | null {
  try {
    return Object.values(TRAINING_WASM).map((base64) => new WebAssembly.Module(Buffer.from(base64, 'base64')));
  } catch {
    return null;
  }
}

/** Only install SIMD-backed kernels where the modules compile: `{}` otherwise. */
export function ifSimd<T extends object>(kernels: T): T | Record<string, never> {
  return compiled ? kernels : {};
}
const instances = new WeakMap<WebAssembly.Memory, TrainingExports>();

/** The modules instantiated on this backend's memory (once per memory), their exports together. */
export function simd(backend: WasmBackendInternals): TrainingExports {
  const memory = (backend as WithMemory).wasm.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) throw new Error('fused training kernels: the wasm backend exposes no memory');
  let exports = instances.get(memory);
  if (!exports) {
    if (!compiled) throw new Error('fused training kernels: this runtime lacks WebAssembly SIMD');
    const all = compiled.map((module) => new WebAssembly.Instance(module, { env: { memory } }).exports);
    exports = Object.assign({}, ...all) as TrainingExports;
    instances.set(memory, exports);
  }
  return exports;
}

/** Byte offset of t's data in the wasm memory. */
export function at(backend: WasmBackendInternals, t: TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset;
}

function float32(kernel: string, inputs: Record<string, TensorInfo>): void {
  for (const [name, t] of Object.entries(inputs)) {
    if (t.dtype !== 'float32') throw new Error(`${kernel}: ${name} must be float32`);
  }
}

/**
 * GELU forward, [x sigmoid(t), sigmoid(t)] with t = x (A + B x^2), A and B as in ops/gelu.ts: t in SIMD,
 * the sigmoid by the stock (XNNPACK) kernel, the product in SIMD; s is the second output, for the gradient.
 */
function geluKernel({ inputs, backend }: KernelArgs): TensorInfo[] {
  const { x } = inputs;
  float32(TRAIN_GELU, inputs);
  const n = sizeOf(x.shape);
  const t = backend.makeOutput(x.shape, 'float32');
  let s: TensorInfo;
  try {
    if (n > 0) simd(backend).gelu_arg(at(backend, x), at(backend, t), n);
    s = runStock('Sigmoid', backend, { x: t });
  } finally {
    backend.disposeData(t.dataId);
  }
  const y = backend.makeOutput(x.shape, 'float32');
  if (n > 0) simd(backend).mul(at(backend, x), at(backend, s), at(backend, y), n);
  return [y, s];
}

/** GELU's gradient dy (s + x s (1 - s) (A + 3B x^2)) from x and the forward pass's s = sigmoid(t). */
function geluGradKernel({ inputs, backend }: KernelArgs): TensorInfo {
  const { dy, x, s } = inputs;
  float32(TRAIN_GELU_GRAD, inputs);
  const n = sizeOf(x.shape);
  if (sizeOf(dy.shape) !== n || sizeOf(s.shape) !== n) throw new Error(`${TRAIN_GELU_GRAD}: dy, x and s must have the same size`);
  const out = backend.makeOutput(x.shape, 'float32');
  if (n > 0) simd(backend).gelu_grad(at(backend, dy), at(backend, x), at(backend, s), at(backend, out), n);
  return out;
}

function layerNormShape(kernel: string, x: TensorInfo, gamma: TensorInfo): { rows: number; C: number } {
  const C = x.shape[x.shape.length - 1] ?? 1;
  if (gamma.shape.length !== 1 || gamma.shape[0] !== C) throw new Error(`${kernel}: gamma shape ${gamma.shape} must be [${C}]`);
  return { rows: C === 0 ? 0 : sizeOf(x.shape) / C, C };
}

function layerNormKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { x, gamma } = inputs;
  float32(TRAIN_LAYER_NORM, inputs);
  const { rows, C } = layerNormShape(TRAIN_LAYER_NORM, x, gamma);
  const out = backend.makeOutput(x.shape, 'float32');
  if (rows * C > 0) simd(backend).layer_norm(at(backend, x), at(backend, gamma), at(backend, out), rows, C, Number(attrs?.epsilon ?? LAYER_NORM_EPSILON));
  return out;
}

function layerNormGradKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const { dy, x, gamma } = inputs;
  float32(TRAIN_LAYER_NORM_GRAD, inputs);
  const { rows, C } = layerNormShape(TRAIN_LAYER_NORM_GRAD, x, gamma);
  const dx = backend.makeOutput(x.shape, 'float32');
  const dgamma = backend.makeOutput([C], 'float32');
  if (rows === 0) backend.typedArrayFromHeap(dgamma).fill(0);
  else if (C > 0) {
    simd(backend).layer_norm_grad(
      at(backend, dy), at(backend, x), at(backend, gamma), at(backend, dx), at(backend, dgamma), rows, C, Number(attrs?.epsilon ?? LAYER_NORM_EPSILON),
    );
  }
  return [dx, dgamma];
}

/** Softmax over the last axis by the stock kernel, under a name whose gradient is the fused one below. */
function softmaxKernel({ inputs, backend }: KernelArgs): TensorInfo {
  const { logits } = inputs;
  return runStock('Softmax', backend, { logits }, { dim: logits.shape.length - 1 });
}

/** dx = dy y - y sum(dy y) over the last axis, from the forward pass's output y. */
function softmaxGradKernel({ inputs, backend }: KernelArgs): TensorInfo {
  const { dy, y } = inputs;
  float32(TRAIN_SOFTMAX_GRAD, inputs);
  const n = sizeOf(y.shape);
  if (sizeOf(dy.shape) !== n) throw new Error(`${TRAIN_SOFTMAX_GRAD}: dy and y must have the same size`);
  const out = backend.makeOutput(y.shape, 'float32');
  const C = y.shape[y.shape.length - 1] ?? 1;
  if (n > 0) simd(backend).softmax_grad(at(backend, dy), at(backend, y), at(backend, out), n / C, C);
  return out;
}

/** Only this tensor's owner holds its buffer (no clone or reshape shares it). */
function unshared(backend: WasmBackendInternals, t: TensorInfo): boolean {
  return backend.dataIdMap.get(t.dataId).refCount === 1;
}

/** t itself as a kernel output: one more reference to the same buffer. */
function shareOutput(backend: WasmBackendInternals, t: TensorInfo): TensorInfo {
  (backend as unknown as { incRef(dataId: object): void }).incRef(t.dataId);
  return { dataId: t.dataId, shape: t.shape, dtype: t.dtype };
}

/**
 * AdamW over K weights at once. Inputs m and v (the flat moments, weights laid end to end in order), g0..gK-1 and
 * w0..wK-1; attrs decays (K booleans) and the step's scalars. Outputs [m', v', w0', ..., wK-1'].
 * Clipping by the global gradient norm happens here too (gradClip 0 = none). m' and v' may be m and v themselves.
 */
function adamWKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const a = attrs as NamedAttrMap;
  const decays = a.decays as boolean[];
  const K = decays.length;
  const { m, v } = inputs;
  const gs = Array.from({ length: K }, (_, i) => inputs[`g${i}`]);
  const ws = Array.from({ length: K }, (_, i) => inputs[`w${i}`]);
  float32(ADAMW, inputs);
  const total = ws.reduce((n, w) => n + sizeOf(w.shape), 0);
  if (sizeOf(m.shape) !== total || sizeOf(v.shape) !== total) throw new Error(`${ADAMW}: moments hold ${sizeOf(m.shape)} values, weights ${total}`);
  gs.forEach((g, i) => {
    if (!g || sizeOf(g.shape) !== sizeOf(ws[i].shape)) throw new Error(`${ADAMW}: gradient ${i} does not match its weight`);
  });
  // The moments are updated in place when nothing else shares their buffers (the optimizer's own variables):
  // fresh copies of both would double their memory at every step, a gigabyte for a 124M-parameter model, enough
  // to overflow the 4 GB wasm heap. Each value is read before the same place is written, so aliasing is safe.
  const inPlace = m.dataId !== v.dataId && unshared(backend, m) && unshared(backend, v);
  const mo = inPlace ? shareOutput(backend, m) : backend.makeOutput(m.shape, 'float32');
  const vo = inPlace ? shareOutput(backend, v) : backend.makeOutput(v.shape, 'float32');
  const wos = ws.map((w) => backend.makeOutput(w.shape, 'float32'));
  const k = simd(backend);
  const clip = Number(a.gradClip);
  let scale = 1;
  if (clip > 0) {
    // torch.nn.utils.clip_grad_norm_, as the composite path computes it
    const sumSquares = gs.reduce((s, g) => s + (sizeOf(g.shape) > 0 ? k.sum_squares(at(backend, g), sizeOf(g.shape)) : 0), 0);
    scale = Math.min(clip / (Math.sqrt(sumSquares) + 1e-6), 1);
  }
  const [beta1, beta2, lr, weightDecay] = [a.beta1, a.beta2, a.lr, a.weightDecay].map(Number);
  const keepDecayed = weightDecay > 0 ? 1 - lr * weightDecay : 1;
  let offset = 0;
  ws.forEach((w, i) => {
    const n = sizeOf(w.shape);
    if (n > 0) {
      const bytes = offset * 4;
      k.adamw(
        at(backend, gs[i]), at(backend, m) + bytes, at(backend, v) + bytes, at(backend, w),
        at(backend, mo) + bytes, at(backend, vo) + bytes, at(backend, wos[i]), n,
        scale, beta1, 1 - beta1, beta2, 1 - beta2, Number(a.bc1), Number(a.bc2), Number(a.epsilon), decays[i] ? keepDecayed : 1, lr,
      );
    }
    offset += n;
  });
  return [mo, vo, ...wos];
}

export const TRAINING_KERNELS = ifSimd({
  [TRAIN_GELU]: geluKernel,
  [TRAIN_GELU_GRAD]: geluGradKernel,
  [TRAIN_LAYER_NORM]: layerNormKernel,
  [TRAIN_LAYER_NORM_GRAD]: layerNormGradKernel,
  [TRAIN_SOFTMAX]: softmaxKernel,
  [TRAIN_SOFTMAX_GRAD]: softmaxGradKernel,
  [ADAMW]: adamWKernel,
});

const run = (name: string, inputs: tf.NamedTensorMap, attrs: NamedAttrMap = {}) => tf.engine().runKernel(name, inputs, attrs);

// Gradients of our forward kernels: backend-independent registrations; the kernels exist only where the fixes installed them.
tf.registerGradient({
  kernelName: TRAIN_LAYER_NORM,
  inputsToSave: ['x', 'gamma'],
  gradFunc: (dy, saved, attrs) => {
    const [dx, dgamma] = run(TRAIN_LAYER_NORM_GRAD, { dy: dy as tf.Tensor, x: saved[0], gamma: saved[1] }, attrs) as tf.Tensor[];
    return { x: () => dx, gamma: () => dgamma };
  },
});

tf.registerGradient({
  kernelName: TRAIN_SOFTMAX,
  outputsToSave: [true],
  gradFunc: (dy, saved) => ({ logits: () => run(TRAIN_SOFTMAX_GRAD, { dy: dy as tf.Tensor, y: saved[0] }) as tf.Tensor }),
});

/** Whether the active backend has the fused training kernel `name`. */
export function hasTrainingKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) != null;
}
