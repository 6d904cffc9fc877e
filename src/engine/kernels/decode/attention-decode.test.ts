import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { GptModel } from '../../models/gpt.js';
import { slideKeep } from '../../models/kv-window.js';
import { gelu } from '../../ops/gelu.js';
import { layerNorm } from '../../ops/layer-norm.js';
import { runKernel } from '../../ops/kernel-choice.js';
import { TINY_IDS, TINY_VOCAB } from '#test/support/training.js';
import { DECODE_ATTENTION_KERNEL } from './attention-decode.js';
import { DECODE_BLOCK_KERNEL } from './decode-block.js';
import { expectClose, kernelModes, randInt, randomValues, rng, useKernelMode, useWasmWithFixes, withStockKernels } from '#test/support/kernels.js';

beforeAll(useWasmWithFixes);
type Case = { H: number; hs: number; L: number; T: number; qkv: Float32Array; k: Float32Array; v: Float32Array };
type Result = { y: Float32Array; k: Float32Array; v: Float32Array; shapes: number[][] };

/** The model's composite path for T positions after L cached ones: split, scale q, append, masked softmax, merge. */
function composite(qkv: tf.Tensor, pastK: tf.Tensor4D | null, pastV: tf.Tensor4D | null, H: number, hs: number): tf.Tensor[] {
  const T = qkv.shape[0];
  const L = pastK ? pastK.shape[2] : 0;
  const heads = tf.transpose(tf.reshape(qkv, [1, T, 3 * H, hs]), [0, 2, 1, 3]);
  const [q0, k0, v0] = tf.split(heads, 3, 1) as tf.Tensor4D[];
  const q = tf.mul(q0, 1 / Math.sqrt(hs));
  const k = pastK ? tf.concat([pastK, k0], 2) : k0;
  const v = pastV ? tf.concat([pastV, v0], 2) : v0;
  // Row t sees positions 0..L + t.
  const mask = tf.mul(tf.sub(1, tf.slice(tf.linalg.bandPart(tf.ones([L + T, L + T]), -1, 0), [L, 0], [T, L + T])), -1e9);
  const y = tf.matMul(tf.softmax(tf.add(tf.matMul(q, k, false, true), mask)), v);
  return [tf.reshape(tf.transpose(y, [0, 2, 1, 3]), [T, H * hs]), k, v];
}

async function run(c: Case, fused: boolean, omitEmptyPast = false): Promise<Result> {
  const { H, hs, L, T } = c;
  const outs = tf.tidy(() => {
    const qkv = tf.tensor2d(c.qkv, [T, 3 * H * hs]);
    const k = tf.tensor4d(c.k, [1, H, L, hs]);
    const v = tf.tensor4d(c.v, [1, H, L, hs]);
    if (!fused) return composite(qkv, L > 0 ? k : null, L > 0 ? v : null, H, hs);
    const inputs: tf.NamedTensorMap = omitEmptyPast && L === 0 ? { qkv } : { qkv, k, v };
    return runKernel(DECODE_ATTENTION_KERNEL, inputs, { heads: H }) as unknown as tf.Tensor[];
  });
  const [y, k, v] = (await Promise.all(outs.map((t) => t.data()))) as Float32Array[];
  const shapes = outs.map((t) => t.shape);
  tf.dispose(outs);
  return { y, k, v, shapes };
}

function randomCase(r: () => number, H: number, hs: number, L: number, T: number): Case {
  const d = H * hs;
  // Scaled up so the softmax is far from uniform (a wrong score shows in the output).
  const scaled = (n: number) => randomValues(r, n).map((x) => x * 3);
  return { H, hs, L, T, qkv: scaled(3 * d * T), k: scaled(H * L * hs), v: scaled(H * L * hs) };
}

describe('wasm InklingDecodeAttention', () => {
  it.each(kernelModes)('%s: matches the composite attention (1e-5) and appends to the cache exactly, over random heads, sizes, cache lengths and new rows', async (mode) => {
    useKernelMode(mode);
    const r = rng(17);
    const cases = [randomCase(r, 1, 1, 0, 1), randomCase(r, 4, 32, 0, 1), randomCase(r, 4, 32, 63, 1), randomCase(r, 3, 5, 1, 1)];
    cases.push(randomCase(r, 4, 32, 0, 32), randomCase(r, 2, 3, 5, 4), randomCase(r, 1, 2, 0, 2));
    for (let trial = 0; trial < 12; trial++) {
      cases.push(randomCase(r, randInt(r, 1, 6), randInt(r, 1, 24), randInt(r, 0, 40), trial % 2 === 0 ? 1 : randInt(r, 1, 9)));
    }
    const before = tf.memory().numTensors;
    for (const c of cases) {
      const what = `H ${c.H} hs ${c.hs} L ${c.L} T ${c.T}`;
      const fused = await run(c, true);
      const reference = await run(c, false);
      const cache = [1, c.H, c.L + c.T, c.hs];
      expect(fused.shapes, what).toEqual([[c.T, c.H * c.hs], cache, cache]);
      expect(fused.shapes).toEqual(reference.shapes);
      expectClose(fused.y, reference.y, 1e-5, `${what} y`);
      expect(Array.from(fused.k), `${what} k`).toEqual(Array.from(reference.k));
      expect(Array.from(fused.v), `${what} v`).toEqual(Array.from(reference.v));
      if (c.L === 0) expect(await run(c, true, true), `${what} without past inputs`).toEqual(fused);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a cache that does not fit the heads in one line', () => {
    const qkv = tf.zeros([1, 24]);
    const k = tf.zeros([1, 2, 3, 4]);
    expect(() => runKernel(DECODE_ATTENTION_KERNEL, { qkv, k, v: k }, { heads: 4 })).toThrow(/cache shape 1,2,3,4 must be \[1, 4, L, 2\]/);
    expect(() => runKernel(DECODE_ATTENTION_KERNEL, { qkv, k }, { heads: 2 })).toThrow(/both k and v/);
    tf.dispose([qkv, k]);
  });
});

/** Data buffers the backend holds: catches a kernel's leaked temporaries, which tf.memory() does not count. */
const backendBuffers = () => tf.engine().backend.numDataIds();

type Weights = Record<'ln1' | 'qkv' | 'proj' | 'ln2' | 'fc' | 'mlpProj', tf.Tensor>;

/** The model's composite block for T positions: pre-LayerNorm attention and GELU MLP, each with its residual add. */
function compositeBlock(x: tf.Tensor2D, w: Weights, pastK: tf.Tensor4D | null, pastV: tf.Tensor4D | null, H: number, hs: number): tf.Tensor[] {
  const qkv = tf.matMul(layerNorm(x, w.ln1 as tf.Tensor1D, false), w.qkv as tf.Tensor2D);
  const [y, k, v] = composite(qkv, pastK, pastV, H, hs);
  const x1 = tf.add(x, tf.matMul(y as tf.Tensor2D, w.proj as tf.Tensor2D)) as tf.Tensor2D;
  const h = gelu(tf.matMul(layerNorm(x1, w.ln2 as tf.Tensor1D, false), w.fc as tf.Tensor2D), false);
  return [tf.add(x1, tf.matMul(h as tf.Tensor2D, w.mlpProj as tf.Tensor2D)), k, v];
}

async function runBlock(r: () => number, [H, hs, f, L, T]: number[]): Promise<Record<'fused' | 'stock', Float32Array[]>> {
  const d = H * hs;
  const values = (n: number, scale: number, offset = 0) => randomValues(r, n).map((x) => x * scale + offset);
  const shapes = { ln1: [d], qkv: [d, 3 * d], proj: [d, d], ln2: [d], fc: [d, f], mlpProj: [f, d] };
  // Gains around 1, weights ~ 2/sqrt(fan-in): activations of order 1 and a peaked softmax.
  const data = Object.fromEntries(
    Object.entries(shapes).map(([name, shape]) => [name, name.startsWith('ln') ? values(d, 0.5, 1) : values(shape[0] * shape[1], 3 / Math.sqrt(shape[0]))]),
  );
  const x = values(T * d, 2);
  const [k, v] = [values(H * L * hs, 2), values(H * L * hs, 2)];
  const run = async (mode: 'fused' | 'stock') => {
    const outs = tf.tidy(() => {
      const w = Object.fromEntries(Object.entries(shapes).map(([name, shape]) => [name, tf.tensor(data[name], shape)])) as Weights;
      const past = L > 0 ? { k: tf.tensor4d(k, [1, H, L, hs]), v: tf.tensor4d(v, [1, H, L, hs]) } : null;
      const row = tf.tensor2d(x, [T, d]);
      if (mode === 'stock') return compositeBlock(row, w, past?.k ?? null, past?.v ?? null, H, hs);
      return runKernel(DECODE_BLOCK_KERNEL, { x: row, ...w, ...past }, { heads: H, epsilon: 1e-5 }) as unknown as tf.Tensor[];
    });
    const values = (await Promise.all(outs.map((t) => t.data()))) as Float32Array[];
    tf.dispose(outs);
    return values;
  };
  return { fused: await run('fused'), stock: await withStockKernels(() => run('stock')) };
}

describe('wasm InklingDecodeBlock', () => {
  it.each(kernelModes)('%s: matches the stock composite block (3e-5) over random heads, widths, cache lengths and new rows', async (mode) => {
    const r = rng(23);
    // [heads, head size, MLP width, cache length, new rows]
    const cases = [[1, 1, 4, 0, 1], [4, 32, 512, 0, 1], [4, 32, 512, 40, 1], [2, 3, 7, 1, 1], [4, 32, 512, 0, 32], [2, 4, 16, 6, 3]];
    for (let trial = 0; trial < 6; trial++) cases.push([randInt(r, 1, 4), randInt(r, 1, 16), randInt(r, 1, 64), randInt(r, 0, 20), randInt(r, 1, 6)]);
    const before = [tf.memory().numTensors, backendBuffers()];
    for (const c of cases) {
      useKernelMode(mode);
      const { fused, stock } = await runBlock(r, c);
      // 3e-5: weights of 3/sqrt(fan-in) amplify the rounding differences of the stock and fixed matmul kernels.
      ['x', 'k', 'v'].forEach((name, i) => expectClose(fused[i], stock[i], 3e-5, `H, hs, f, L, T ${c} ${name}`));
    }
    expect([tf.memory().numTensors, backendBuffers()]).toEqual(before);
  });

  it('rejects weights that do not fit x in one line', () => {
    const x = tf.zeros([1, 8]);
    const w = { ln1: tf.ones([8]), qkv: tf.zeros([8, 24]), proj: tf.zeros([8, 8]), ln2: tf.ones([8]), fc: tf.zeros([8, 32]), mlpProj: tf.zeros([16, 8]) };
    expect(() => runKernel(DECODE_BLOCK_KERNEL, { x, ...w }, { heads: 2 })).toThrow(/mlpProj shape 16,8 must be \[32,8\]/);
    tf.dispose([x, ...Object.values(w)]);
  });
});

/** Logits of each feed (a prompt, single tokens, a few tokens on top of a cache) and the kernels each feed ran. */
async function decodeLogits(model: GptModel, feeds: number[][]): Promise<{ logits: Float32Array[]; kernels: string[][] }> {
  const state = model.createState();
  const logits: Float32Array[] = [];
  const kernels: string[][] = [];
  for (const feed of feeds) {
    const info = await tf.profile(() => model.feed(state, feed));
    const out = info.result as tf.Tensor;
    logits.push((await out.data()) as Float32Array);
    out.dispose();
    kernels.push(info.kernels.map((k) => k.name));
  }
  state.dispose();
  return { logits, kernels };
}

describe('GPT decoding with InklingDecodeBlock', () => {
  it.each(kernelModes)('%s: gives the composite path\'s logits (1e-5) through a prompt, cached feeds and window slides, tensors flat', async (mode) => {
    useKernelMode(mode);
    const config = { arch: 'gpt' as const, vocabSize: TINY_VOCAB.length, contextLength: 8, layers: 2, heads: 2, embedding: 16, dropout: 0 };
    const model = new GptModel(config, 5);
    // Sharpen attention (the initial weights give near-uniform softmax, which hides wrong scores).
    for (const w of model.weights) if (w.name.includes('attn/qkv')) w.variable.assign(tf.tidy(() => tf.mul(w.variable, 40)));
    // A 3-token prompt, a token, 2 tokens on the cache, then single tokens: the window of 8 slides 3 times.
    const sizes = [3, 1, 2, ...Array(14).fill(1)];
    const feeds = sizes.map((n, i) => TINY_IDS.slice(sizes.slice(0, i).reduce((a, b) => a + b, 0)).slice(0, n));
    const before = [tf.memory().numTensors, backendBuffers()];
    const fused = await decodeLogits(model, feeds);
    expect([tf.memory().numTensors, backendBuffers()]).toEqual(before);
    const stock = await withStockKernels(() => decodeLogits(model, feeds));
    // Every feed, whatever its length, runs one fused call per layer; a slide recomputes the kept window.
    let length = 0;
    let slides = 0;
    fused.kernels.forEach((names, i) => {
      const slid = length + sizes[i] > config.contextLength;
      length = slid ? slideKeep(config.contextLength, length + sizes[i], sizes[i]) : length + sizes[i];
      if (slid) slides++;
      expect(names.filter((n) => n === DECODE_BLOCK_KERNEL).length, `feed ${i}`).toBe(config.layers);
    });
    expect(slides).toBe(3);
    expect(stock.kernels.flat()).not.toContain(DECODE_BLOCK_KERNEL);
    expect(fused.logits.length).toBe(stock.logits.length);
    fused.logits.forEach((l, i) => expectClose(l, stock.logits[i], 1e-5, `feed ${i}`));
    model.dispose();
  });

  it('leaves training and batches to the composite path; apply on one sequence matches it', async () => {
    const config = { arch: 'gpt' as const, vocabSize: TINY_VOCAB.length, contextLength: 8, layers: 1, heads: 2, embedding: 8, dropout: 0 };
    const model = new GptModel(config, 5);
    const one = tf.tensor2d(TINY_IDS.slice(0, 8), [1, 8], 'int32');
    const two = tf.tensor2d(TINY_IDS.slice(0, 16), [2, 8], 'int32');
    const run = async (tokens: tf.Tensor2D, training: boolean) => {
      const info = await tf.profile(() => model.apply(tokens, training));
      const out = info.result as tf.Tensor;
      const values = (await out.data()) as Float32Array;
      out.dispose();
      return { values, fused: info.kernels.some((k) => k.name === DECODE_BLOCK_KERNEL) };
    };
    expect((await run(one, true)).fused).toBe(false);
    expect((await run(two, false)).fused).toBe(false);
    const fused = await run(one, false);
    expect(fused.fused).toBe(true);
    const stock = await withStockKernels(() => run(one, false));
    expectClose(fused.values, stock.values, 1e-5, 'apply');
    tf.dispose([one, two]);
    model.dispose();
  });
});
