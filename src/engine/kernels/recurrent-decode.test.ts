import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RnnModel } from '../models/rnn.js';
import { TINY_IDS, TINY_VOCAB } from '../models/testkit.js';
import { installWasmKernelFixes, uninstallWasmKernelFixes } from './index.js';
import { GRU_CELL_KERNEL, LSTM_CELL_KERNEL } from './recurrent-decode.js';
import { expectClose, randInt, randomValues, rng, useWasmWithFixes } from './test-helpers.js';

beforeAll(useWasmWithFixes);
afterEach(() => {
  installWasmKernelFixes();
});

/** The composite LSTM step of rnn.ts, op by op, from the same inputs. */
function compositeLstm(xw: tf.Tensor2D, hU: tf.Tensor2D, bias: tf.Tensor1D, c: tf.Tensor2D): tf.Tensor2D[] {
  const z = tf.add(tf.add(xw, bias), hU);
  const [i, f, g, o] = tf.split(z, 4, 1);
  const cNext = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
  return [tf.mul(tf.sigmoid(o), tf.tanh(cNext)), cNext] as tf.Tensor2D[];
}

function compositeGru(xw: tf.Tensor2D, hU: tf.Tensor2D, bias: tf.Tensor1D, recurrentBias: tf.Tensor1D, h: tf.Tensor2D): tf.Tensor2D {
  const [xz, xr, xn] = tf.split(tf.add(xw, bias), 3, 1);
  const [hz, hr, hn] = tf.split(tf.add(hU, recurrentBias), 3, 1);
  const z = tf.sigmoid(tf.add(xz, hz));
  const r = tf.sigmoid(tf.add(xr, hr));
  const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
  return tf.add(n, tf.mul(z, tf.sub(h, n)));
}

/** Runs f in a tidy under tf.profile; returns the outputs' values and the kernels called. */
async function profiled(f: () => tf.Tensor[]): Promise<{ values: Float32Array[]; kernels: string[] }> {
  const info = await tf.profile(() => tf.tidy(f));
  const outs = info.result as unknown as tf.Tensor[];
  const values = await Promise.all(outs.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose(outs);
  return { values, kernels: info.kernelNames };
}

describe('wasm InklingLstmCell and InklingGruCell', () => {
  it('match the composite cells (1e-5) over random shapes, B > 1 included, in one kernel call', async () => {
    const r = rng(21);
    const shapes: Array<[number, number]> = [[1, 1], [1, 256], [3, 5], [4, 17]];
    for (let trial = 0; trial < 6; trial++) shapes.push([randInt(r, 1, 5), randInt(r, 1, 40)]);
    for (const [B, H] of shapes) {
      // Pre-activations up to +-12: covers the saturated tails where exp overflows.
      const v = (n: number, scale = 4) => randomValues(r, n).map((x) => x * scale);
      const [xw4, hU4, b4, c] = [v(B * 4 * H), v(B * 4 * H), v(4 * H), v(B * H, 2)];
      const [xw3, hU3, b3, rb3, h] = [v(B * 3 * H), v(B * 3 * H), v(3 * H), v(3 * H), v(B * H, 1)];
      const lstmInputs = () => ({ xw: tf.tensor2d(xw4, [B, 4 * H]), hU: tf.tensor2d(hU4, [B, 4 * H]), bias: tf.tensor1d(b4), c: tf.tensor2d(c, [B, H]) });
      const gruInputs = () => ({
        xw: tf.tensor2d(xw3, [B, 3 * H]), hU: tf.tensor2d(hU3, [B, 3 * H]), bias: tf.tensor1d(b3), recurrentBias: tf.tensor1d(rb3), h: tf.tensor2d(h, [B, H]),
      });
      const lstm = await profiled(() => tf.engine().runKernel(LSTM_CELL_KERNEL, lstmInputs()) as tf.Tensor[]);
      const gru = await profiled(() => [tf.engine().runKernel(GRU_CELL_KERNEL, gruInputs()) as tf.Tensor]);
      expect(lstm.kernels).toEqual([LSTM_CELL_KERNEL]);
      expect(gru.kernels).toEqual([GRU_CELL_KERNEL]);
      const lstmRef = await profiled(() => {
        const i = lstmInputs();
        return compositeLstm(i.xw, i.hU, i.bias, i.c);
      });
      const gruRef = await profiled(() => {
        const i = gruInputs();
        return [compositeGru(i.xw, i.hU, i.bias, i.recurrentBias, i.h)];
      });
      expect(lstm.values.length).toBe(2);
      lstm.values.forEach((got, k) => expectClose(got, lstmRef.values[k], 1e-5, `LSTM [${B}, ${H}] output ${k}`));
      expectClose(gru.values[0], gruRef.values[0], 1e-5, `GRU [${B}, ${H}]`);
    }
  });

  it('reject mismatched shapes with a one-line error', () => {
    const run = () => tf.tidy(() => tf.engine().runKernel(LSTM_CELL_KERNEL, { xw: tf.zeros([1, 8]), hU: tf.zeros([1, 8]), bias: tf.zeros([8]), c: tf.zeros([1, 3]) }));
    expect(run).toThrow(/InklingLstmCell: gate input \[1,8\] must be \[1, 12\]/);
  });
});

/** Logits of feeding a prompt and then a few tokens one by one, and the kernels the last feed ran. */
async function feedLogits(model: RnnModel): Promise<{ logits: Float32Array[]; kernels: string[] }> {
  const state = model.createState();
  const logits: Float32Array[] = [];
  const first = model.feed(state, TINY_IDS.slice(0, 6));
  logits.push((await first.data()) as Float32Array);
  first.dispose();
  let kernels: string[] = [];
  for (const t of TINY_IDS.slice(6, 12)) {
    const info = await tf.profile(() => model.feed(state, [t]));
    const out = info.result as tf.Tensor;
    logits.push((await out.data()) as Float32Array);
    out.dispose();
    kernels = info.kernels.map((k) => k.name); // one entry per call
  }
  state.dispose();
  return { logits, kernels };
}

describe.each(['lstm', 'gru'] as const)('%s decoding with the fused cell', (arch) => {
  it('gives the same feed logits (1e-5) as the composite path, with fewer kernel calls and a flat tensor count', async () => {
    const cell = arch === 'lstm' ? LSTM_CELL_KERNEL : GRU_CELL_KERNEL;
    const model = new RnnModel({ arch, vocabSize: TINY_VOCAB.length, embedding: 12, hidden: 24, layers: 2, dropout: 0.1 }, 5);
    const before = tf.memory().numTensors;
    const fused = await feedLogits(model);
    expect(tf.memory().numTensors).toBe(before);
    uninstallWasmKernelFixes();
    const composite = await feedLogits(model);
    installWasmKernelFixes();
    expect(fused.kernels.filter((k) => k === cell)).toHaveLength(2); // one per layer
    expect(composite.kernels).not.toContain(cell);
    expect(fused.kernels.length).toBeLessThan(composite.kernels.length - 10);
    expect(fused.logits.length).toBe(composite.logits.length);
    fused.logits.forEach((l, i) => expectClose(l, composite.logits[i], 1e-5, `feed ${i}`));
    model.dispose();
  });
});
