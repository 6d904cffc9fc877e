import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { RnnModel } from '../../models/rnn.js';
import { TINY_IDS, TINY_VOCAB } from '#test/support/training.js';
import { DENSE_KERNEL, GRU_CELL_KERNEL, LSTM_CELL_KERNEL } from './recurrent-decode.js';
import { expectClose, kernelModes, randInt, randomValues, rng, useKernelMode, useWasmWithFixes, fusedAndComposite, withStockKernels } from '#test/support/kernels.js';

beforeAll(useWasmWithFixes);
type CellInputs = Record<string, tf.Tensor>;

/** x@W (x itself when no kernel is given) and h@U, as the kernels take them. */
function products(i: CellInputs): [tf.Tensor, tf.Tensor] {
  return [i.kernel ? tf.matMul(i.x, i.kernel) : i.x, tf.matMul(i.h, i.recurrent)];
}

/** The composite LSTM step of rnn.ts, op by op, from the same inputs. */
function compositeLstm(inputs: CellInputs): tf.Tensor[] {
  const [xw, hU] = products(inputs);
  const z = tf.add(tf.add(xw, inputs.bias), hU);
  const [i, f, g, o] = tf.split(z, 4, 1);
  const cNext = tf.add(tf.mul(tf.sigmoid(f), inputs.c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
  return [tf.mul(tf.sigmoid(o), tf.tanh(cNext)), cNext];
}

function compositeGru(inputs: CellInputs): tf.Tensor[] {
  const [xw, hU] = products(inputs);
  const [xz, xr, xn] = tf.split(tf.add(xw, inputs.bias), 3, 1);
  const [hz, hr, hn] = tf.split(tf.add(hU, inputs.recurrentBias), 3, 1);
  const z = tf.sigmoid(tf.add(xz, hz));
  const r = tf.sigmoid(tf.add(xr, hr));
  const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
  return [tf.add(n, tf.mul(z, tf.sub(inputs.h, n)))];
}

/** Runs f in a tidy under tf.profile; returns the outputs' values and the kernels called. */
async function profiled(f: () => tf.Tensor[]): Promise<{ values: Float32Array[]; kernels: string[] }> {
  const info = await tf.profile(() => tf.tidy(f));
  const outs = info.result as unknown as tf.Tensor[];
  const values = await Promise.all(outs.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose(outs);
  return { values, kernels: info.kernelNames };
}

/** Random inputs for a cell with G gates: x [B, In] with a kernel, or x = x@W [B, G*H] when In is null. */
function randomCell(r: () => number, G: number, B: number, H: number, In: number | null): () => CellInputs {
  // Scaled so pre-activations reach +-10: covers the saturated tails.
  const v = (n: number, scale: number) => randomValues(r, n).map((x) => x * scale);
  const x = In == null ? v(B * G * H, 4) : v(B * In, 2);
  const kernel = In == null ? null : v(In * G * H, 6 / Math.sqrt(In));
  const [h, c, recurrent, bias, recurrentBias] = [v(B * H, 1), v(B * H, 2), v(H * G * H, 6 / Math.sqrt(H)), v(G * H, 2), v(G * H, 2)];
  return () => ({
    x: tf.tensor2d(x, [B, In ?? G * H]),
    ...(kernel ? { kernel: tf.tensor2d(kernel, [In!, G * H]) } : {}),
    h: tf.tensor2d(h, [B, H]),
    recurrent: tf.tensor2d(recurrent, [H, G * H]),
    bias: tf.tensor1d(bias),
    ...(G === 4 ? { c: tf.tensor2d(c, [B, H]) } : { recurrentBias: tf.tensor1d(recurrentBias) }),
  });
}

describe('wasm InklingLstmCell and InklingGruCell', () => {
  it.each(kernelModes)('%s: match the composite cells (1e-5) over random shapes, B > 1, with and without the input product, in one kernel call', async (mode) => {
    useKernelMode(mode);
    const r = rng(21);
    const shapes: Array<[number, number, number | null]> = [[1, 1, 1], [1, 256, 64], [3, 5, null], [4, 17, 9], [2, 8, null]];
    for (let trial = 0; trial < 6; trial++) shapes.push([randInt(r, 1, 5), randInt(r, 1, 40), r() < 0.3 ? null : randInt(r, 1, 30)]);
    for (const [B, H, In] of shapes) {
      for (const [name, G, composite] of [[LSTM_CELL_KERNEL, 4, compositeLstm], [GRU_CELL_KERNEL, 3, compositeGru]] as const) {
        const inputs = randomCell(r, G, B, H, In);
        const fused = await profiled(() => {
          const out = tf.engine().runKernel(name, inputs());
          return Array.isArray(out) ? out : [out as tf.Tensor];
        });
        expect(fused.kernels).toEqual([name]);
        const ref = await profiled(() => composite(inputs()));
        expect(fused.values.length).toBe(G === 4 ? 2 : 1);
        fused.values.forEach((got, k) => expectClose(got, ref.values[k], 1e-5, `${name} B=${B} H=${H} In=${In} output ${k}`));
      }
    }
  });

  it.each(kernelModes)('%s: read row `row` of an embedding table as x (attr row) like a slice of it, and reject a row out of range', async (mode) => {
    useKernelMode(mode);
    const r = rng(8);
    for (const [name, G, composite] of [[LSTM_CELL_KERNEL, 4, compositeLstm], [GRU_CELL_KERNEL, 3, compositeGru]] as const) {
      const [V, In, H] = [7, 5, 6];
      const table = randomValues(r, V * In);
      const cell = randomCell(r, G, 1, H, In);
      for (const row of [0, 3, V - 1]) {
        const fused = await profiled(() => {
          const out = tf.engine().runKernel(name, { ...cell(), x: tf.tensor2d(table, [V, In]) }, { row });
          return Array.isArray(out) ? out : [out as tf.Tensor];
        });
        expect(fused.kernels).toEqual([name]);
        const ref = await profiled(() => composite({ ...cell(), x: tf.slice(tf.tensor2d(table, [V, In]), [row, 0], [1, In]) }));
        fused.values.forEach((got, k) => expectClose(got, ref.values[k], 1e-5, `${name} row ${row} output ${k}`));
      }
      const outOfRange = () => tf.tidy(() => tf.engine().runKernel(name, { ...cell(), x: tf.zeros([V, In]) }, { row: V }));
      expect(outOfRange).toThrow(new RegExp(`${name}: row ${V} needs a kernel input and a row of x \\[${V},${In}\\]`));
    }
  });

  it.each(kernelModes)('%s: InklingDense matches matMul + bias (1e-5) over random shapes, in one kernel call', async (mode) => {
    useKernelMode(mode);
    const r = rng(5);
    for (let trial = 0; trial < 8; trial++) {
      const [B, In, N] = [randInt(r, 1, 6), randInt(r, 1, 40), randInt(r, 1, 70)];
      const [x, kernel, bias] = [randomValues(r, B * In), randomValues(r, In * N), randomValues(r, N)];
      const inputs = () => ({ x: tf.tensor2d(x, [B, In]), kernel: tf.tensor2d(kernel, [In, N]), bias: tf.tensor1d(bias) });
      const fused = await profiled(() => [tf.engine().runKernel(DENSE_KERNEL, inputs()) as tf.Tensor]);
      expect(fused.kernels).toEqual([DENSE_KERNEL]);
      const ref = await profiled(() => {
        const i = inputs();
        return [tf.add(tf.matMul(i.x, i.kernel), i.bias)];
      });
      expectClose(fused.values[0], ref.values[0], 1e-5, `dense B=${B} In=${In} N=${N}`);
    }
  });

  it('reject mismatched shapes with a one-line error', () => {
    const run = (x: number[]) => () =>
      tf.tidy(() => tf.engine().runKernel(LSTM_CELL_KERNEL, { x: tf.zeros(x), h: tf.zeros([1, 3]), recurrent: tf.zeros([3, 12]), bias: tf.zeros([12]), c: tf.zeros([1, 3]) }));
    expect(run([1, 8])).toThrow(/InklingLstmCell: gate input \[1,8\] must be \[1, 12\]/);
    expect(run([8])).toThrow(/InklingLstmCell: x, kernel, h and recurrent must be 2-D float32/);
    const dense = () => tf.tidy(() => tf.engine().runKernel(DENSE_KERNEL, { x: tf.zeros([1, 3]), kernel: tf.zeros([3, 4]), bias: tf.zeros([5]) }));
    expect(dense).toThrow(/InklingDense: x \[1,3\], kernel \[3,4\] and bias \[5\] must be \[B, In\], \[In, N\] and \[N\]/);
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
  it.each(kernelModes)('%s: gives the same feed logits (1e-5) as the composite path, with fewer kernel calls and a flat tensor count', async (mode) => {
    useKernelMode(mode);
    const cell = arch === 'lstm' ? LSTM_CELL_KERNEL : GRU_CELL_KERNEL;
    const model = new RnnModel({ arch, vocabSize: TINY_VOCAB.length, embedding: 12, hidden: 24, layers: 2, dropout: 0.1 }, 5);
    const { fused, composite } = await fusedAndComposite(() => feedLogits(model));
    expect(fused.kernels.filter((k) => k === cell)).toHaveLength(2); // one per layer
    expect(fused.kernels.filter((k) => k === DENSE_KERNEL)).toHaveLength(1); // the head
    expect(composite.kernels).not.toContain(cell);
    expect(fused.kernels).not.toContain('Slice'); // the first cell reads the token's embedding row itself
    expect(fused.kernels.length).toBeLessThan(composite.kernels.length - 10);
    expect(fused.logits.length).toBe(composite.logits.length);
    fused.logits.forEach((l, i) => expectClose(l, composite.logits[i], 1e-5, `feed ${i}`));
    model.dispose();
  });

  it.each(kernelModes)('%s: leaves evaluation (apply without training, B > 1) unchanged (1e-5)', async (mode) => {
    useKernelMode(mode);
    const model = new RnnModel({ arch, vocabSize: TINY_VOCAB.length, embedding: 12, hidden: 24, layers: 2, dropout: 0.1 }, 6);
    const tokens = tf.tensor2d(TINY_IDS.slice(0, 21), [3, 7], 'int32');
    const evaluate = async () => {
      const info = await tf.profile(() => model.apply(tokens, false));
      const out = info.result as tf.Tensor;
      const values = (await out.data()) as Float32Array;
      out.dispose();
      return { values, kernels: info.kernelNames };
    };
    const fused = await evaluate();
    const composite = await withStockKernels(() => evaluate());
    // The LSTM evaluates through lstmSequence (no per-step kernels); the GRU steps through its cell.
    expect(fused.kernels.includes(GRU_CELL_KERNEL)).toBe(arch === 'gru');
    expectClose(fused.values, composite.values, 1e-5, 'logits');
    tokens.dispose();
    model.dispose();
  });
});
