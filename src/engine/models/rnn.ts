// LSTM and GRU language models: embedding -> recurrent layers -> dense head over the vocabulary.
// The input projection x@W of a layer is one matmul over all time steps; the loop over time only
// does h@U. Gate order: LSTM i, f, g, o (as Keras); GRU z, r, n with the reset gate applied to
// h@U + b (as PyTorch / cuDNN), so a step needs a single h@U.
import * as tf from '@tensorflow/tfjs-core';
import type { DecodeState, LanguageModel, NamedWeight, RnnConfig } from '../types.js';
import { DENSE_KERNEL, GRU_CELL_KERNEL, LSTM_CELL_KERNEL } from '../kernels/decode/recurrent-decode.js';
import { WeightBuilder, checkTokens, disposeWeights, sumSizes } from './init.js';
import { Dropout } from '../ops/dropout.js';
import { hasKernel, runKernel } from '../ops/kernel-choice.js';
import { lstmSequence } from './lstm-sequence.js';
import { registerArchitecture } from './architectures.js';

interface Layer {
  kernel: tf.Variable;
  recurrent: tf.Variable;
  bias: tf.Variable;
  /** GRU only: the bias added to h@U, inside the reset gate. */
  recurrentBias: tf.Variable | null;
}

/** Per layer: h, and for the LSTM also c; each [B, hidden]. */
type LayerState = { h: tf.Tensor2D; c: tf.Tensor2D | null };

/** What decoding feeds the first layer: embedded tokens [n, embedding], or one token's id for the fused cell to look up. */
type DecodeInput = { kind: 'rows'; x: tf.Tensor2D } | { kind: 'token'; id: number };

const gatesOf = (arch: 'lstm' | 'gru') => (arch === 'lstm' ? 4 : 3);

export function rnnParameterCount(c: Omit<RnnConfig, 'arch'> & { arch: 'lstm' | 'gru' }): number {
  const G = gatesOf(c.arch);
  let n = c.vocabSize * c.embedding + c.hidden * c.vocabSize + c.vocabSize;
  for (let i = 0; i < c.layers; i++) {
    const input = i === 0 ? c.embedding : c.hidden;
    n += (input + c.hidden) * G * c.hidden + G * c.hidden * (c.arch === 'gru' ? 2 : 1);
  }
  return n;
}

export class RnnState implements DecodeState {
  length = 0;
  layers: LayerState[] | null = null;

  dispose(): void {
    for (const s of this.layers ?? []) tf.dispose([s.h, ...(s.c ? [s.c] : [])]);
    this.layers = null;
  }
}

export class RnnModel implements LanguageModel {
  readonly weights: NamedWeight[];
  readonly contextLength = null;
  private readonly embedding: tf.Variable;
  private readonly layers: Layer[] = [];
  private readonly headKernel: tf.Variable;
  private readonly headBias: tf.Variable;
  private readonly dropout: Dropout;

  constructor(readonly config: RnnConfig, seed: number) {
    const { arch, vocabSize: V, embedding: e, hidden: h } = config;
    const G = gatesOf(arch);
    const b = new WeightBuilder(seed);
    this.dropout = new Dropout(config.dropout, seed);
    this.embedding = b.glorotUniform('embedding/token', 'embedding', [V, e]);
    for (let i = 0; i < config.layers; i++) {
      const g = `layer${i}`;
      const input = i === 0 ? e : h;
      // Forget-gate bias 1 (Jozefowicz et al. 2015; Keras unit_forget_bias) so memory survives early training.
      const bias = new Float32Array(G * h);
      if (arch === 'lstm') bias.fill(1, h, 2 * h);
      this.layers.push({
        kernel: b.glorotUniform(`${g}/kernel`, g, [input, G * h]),
        recurrent: b.glorotUniform(`${g}/recurrent`, g, [h, G * h]),
        bias: b.vector(`${g}/bias`, g, bias),
        recurrentBias: arch === 'gru' ? b.constant(`${g}/recurrentBias`, g, G * h, 0) : null,
      });
    }
    this.headKernel = b.glorotUniform('head/kernel', 'head', [h, V]);
    this.headBias = b.constant('head/bias', 'head', V, 0);
    this.weights = b.weights;
  }

  apply(tokens: tf.Tensor2D, training: boolean): tf.Tensor3D {
    const [B, T] = tokens.shape;
    return tf.tidy(() => {
      // Time-major from here on, so each step's input is a contiguous [B, ...] block.
      const ids = tf.reshape(tf.transpose(tokens), [T * B]) as tf.Tensor1D;
      const out = this.sequenceLayers(tf.gather(this.embedding, ids) as tf.Tensor2D, T, B, training);
      const batchMajor = tf.reshape(tf.transpose(tf.reshape(out, [T, B, -1]), [1, 0, 2]), [B * T, -1]);
      return tf.reshape(this.head(batchMajor as tf.Tensor2D, training), [B, T, this.config.vocabSize]);
    });
  }

  /** The last layer's outputs [B, T, hidden]: what the head reads, and what a classifier pools. */
  hidden(tokens: tf.Tensor2D, training: boolean): tf.Tensor3D {
    const [B, T] = tokens.shape;
    return tf.tidy(() => {
      const ids = tf.reshape(tf.transpose(tokens), [T * B]) as tf.Tensor1D;
      const out = this.sequenceLayers(tf.gather(this.embedding, ids) as tf.Tensor2D, T, B, training);
      return tf.transpose(tf.reshape(out, [T, B, this.config.hidden]), [1, 0, 2]) as tf.Tensor3D;
    });
  }

  private head(x: tf.Tensor2D, training: boolean): tf.Tensor2D {
    if (!training && hasKernel(DENSE_KERNEL)) return runKernel(DENSE_KERNEL, { x, kernel: this.headKernel, bias: this.headBias }) as tf.Tensor2D;
    return tf.add(tf.matMul(x, this.headKernel), this.headBias);
  }

  /** Outside training, a fused cell kernel (wasm) when the backend has one. */
  private fusedCell(training: boolean): boolean {
    return !training && hasKernel(this.config.arch === 'lstm' ? LSTM_CELL_KERNEL : GRU_CELL_KERNEL);
  }

  /**
   * Whole sequences (training, evaluation, apply): time-major embedded tokens [T*B, embedding] through all
   * layers from zero states; returns the last layer's outputs [T*B, hidden].
   */
  private sequenceLayers(embedded: tf.Tensor2D, T: number, B: number, training: boolean): tf.Tensor2D {
    let x = embedded;
    this.layers.forEach((layer, i) => {
      if (i > 0) x = this.dropout.apply(x, training);
      // LSTM: one op with hand-written backprop through time. GRU: step by step.
      x = this.config.arch === 'lstm' ? this.lstmLayer(x, layer, T, B) : this.steppedLayer(x, layer, T, B, undefined, training, null).out;
    });
    return x;
  }

  /**
   * Decoding one sequence (B = 1) from the states of earlier tokens: n new tokens through all layers; returns the
   * last layer's outputs [n, hidden] and every layer's final state. The input is the tokens' embeddings [n,
   * embedding], or for one token with fused cells the token's id, which the first cell looks up in the table itself.
   */
  private decodeLayers(input: DecodeInput, n: number, initial: LayerState[] | null): { out: tf.Tensor2D; states: LayerState[] } {
    let x = input.kind === 'rows' ? input.x : (this.embedding as tf.Tensor2D);
    const states: LayerState[] = [];
    this.layers.forEach((layer, i) => {
      if (i > 0) x = this.dropout.apply(x, false);
      const row = i === 0 && input.kind === 'token' ? input.id : null;
      const { out, state } = this.steppedLayer(x, layer, n, 1, initial?.[i], false, row);
      states.push(state);
      x = out;
    });
    return { out: x, states };
  }

  /** A whole LSTM layer over [T*B, in] as one op (lstm-sequence.ts), from zero states: [T*B, hidden]. */
  private lstmLayer(x: tf.Tensor2D, layer: Layer, T: number, B: number): tf.Tensor2D {
    return lstmSequence(tf.add(tf.matMul(x, layer.kernel), layer.bias) as tf.Tensor2D, layer.recurrent as tf.Tensor2D, T, B);
  }

  /**
   * One layer over T steps of [B, in] (time-major [T*B, in]) from `initial` (or zeros): fused cells outside
   * training where the backend has them, else composite steps. Returns the outputs [T*B, hidden] and the final
   * state. With row (one token, fused cells only), x is the embedding table and the cell reads that row.
   */
  private steppedLayer(
    x: tf.Tensor2D, layer: Layer, T: number, B: number, initial: LayerState | undefined, training: boolean, row: number | null,
  ): { out: tf.Tensor2D; state: LayerState } {
    const { hidden, arch } = this.config;
    // The fused kernels add the biases themselves, and for a single step do x@W too.
    const fused = this.fusedCell(training);
    const xw = (fused ? (T === 1 ? x : tf.matMul(x, layer.kernel)) : tf.add(tf.matMul(x, layer.kernel), layer.bias)) as tf.Tensor2D;
    // split, not unstack: wasm's Unpack copies the whole input out of the heap once per step.
    const steps = (T === 1 ? [xw] : tf.split(xw, T, 0)) as tf.Tensor2D[];
    let h = initial?.h ?? (tf.zeros([B, hidden]) as tf.Tensor2D);
    let c = arch === 'lstm' ? (initial?.c ?? (tf.zeros([B, hidden]) as tf.Tensor2D)) : null;
    const outputs: tf.Tensor2D[] = [];
    for (const xt of steps) {
      if (fused) {
        [h, c] = this.fusedStep(xt, T === 1 ? layer.kernel : null, h, c, layer, row);
      } else if (c) {
        [h, c] = this.lstmStep(xt, h, c, layer);
      } else {
        h = this.gruStep(xt, h, layer);
      }
      outputs.push(h);
    }
    return { out: T === 1 ? outputs[0] : (tf.concat(outputs) as tf.Tensor2D), state: { h, c } };
  }

  /** One step in one call to InklingLstmCell (c given) or InklingGruCell; with kernel, x is the layer input, else x@W. */
  private fusedStep(
    x: tf.Tensor2D, kernel: tf.Variable | null, h: tf.Tensor2D, c: tf.Tensor2D | null, layer: Layer, row: number | null,
  ): [tf.Tensor2D, tf.Tensor2D | null] {
    const inputs: tf.NamedTensorMap = { x, h, recurrent: layer.recurrent, bias: layer.bias, ...(kernel ? { kernel } : {}) };
    const attrs: tf.NamedAttrMap = row == null ? {} : { row };
    if (c) {
      const [hNext, cNext] = runKernel(LSTM_CELL_KERNEL, { ...inputs, c }, attrs) as unknown as tf.Tensor2D[];
      return [hNext, cNext];
    }
    return [runKernel(GRU_CELL_KERNEL, { ...inputs, recurrentBias: layer.recurrentBias! }, attrs) as tf.Tensor2D, null];
  }

  private lstmStep(xt: tf.Tensor2D, h: tf.Tensor2D, c: tf.Tensor2D, layer: Layer): [tf.Tensor2D, tf.Tensor2D] {
    const z = tf.add(xt, tf.matMul(h, layer.recurrent));
    // Both activations over all four gates, then pick: fewer kernel calls (as in lstm-sequence.ts).
    const [i, f, , o] = tf.split(tf.sigmoid(z), 4, 1);
    const hidden = this.config.hidden;
    const g = tf.slice(tf.tanh(z), [0, 2 * hidden], [z.shape[0], hidden]);
    const cNext = tf.add(tf.mul(f, c), tf.mul(i, g)) as tf.Tensor2D;
    return [tf.mul(o, tf.tanh(cNext)) as tf.Tensor2D, cNext];
  }

  private gruStep(xt: tf.Tensor2D, h: tf.Tensor2D, layer: Layer): tf.Tensor2D {
    const [xz, xr, xn] = tf.split(xt, 3, 1);
    const [hz, hr, hn] = tf.split(tf.add(tf.matMul(h, layer.recurrent), layer.recurrentBias!), 3, 1);
    const z = tf.sigmoid(tf.add(xz, hz));
    const r = tf.sigmoid(tf.add(xr, hr));
    const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
    // h' = (1 - z) * n + z * h = n + z * (h - n)
    return tf.add(n, tf.mul(z, tf.sub(h, n))) as tf.Tensor2D;
  }

  createState(): RnnState {
    return new RnnState();
  }

  feed(state: DecodeState, tokens: readonly number[]): tf.Tensor1D {
    if (!(state instanceof RnnState)) throw new Error('feed needs a state from this model');
    checkTokens(tokens, this.config.vocabSize);
    const n = tokens.length;
    const result = tf.tidy(() => {
      // One token (every sampled one): the row read by the fused cell, or a slice of the embedding rather than a gather.
      const input: DecodeInput =
        n === 1 && this.fusedCell(false)
          ? { kind: 'token', id: tokens[0] }
          : {
              kind: 'rows',
              x: (n === 1
                ? tf.slice(this.embedding, [tokens[0], 0], [1, this.config.embedding])
                : tf.gather(this.embedding, tf.tensor1d([...tokens], 'int32'))) as tf.Tensor2D,
            };
      const { out, states } = this.decodeLayers(input, n, state.layers);
      const last = tf.reshape(this.head(n === 1 ? out : tf.slice(out, [n - 1, 0], [1, -1]), false), [-1]) as tf.Tensor1D;
      return { last, hs: states.map((s) => s.h), cs: states.flatMap((s) => (s.c ? [s.c] : [])) };
    });
    state.dispose();
    state.layers = result.hs.map((h, i) => ({ h: tf.keep(h), c: result.cs[i] ? tf.keep(result.cs[i]) : null }));
    state.length += n;
    return result.last;
  }

  parameterCount(): number {
    return sumSizes(this.weights);
  }

  dispose(): void {
    disposeWeights(this.weights);
  }
}

for (const arch of ['lstm', 'gru'] as const) {
  registerArchitecture({
    arch,
    create: (config, seed) => new RnnModel(config, seed),
    parameterCount: rnnParameterCount,
    describe: (c) => `${c.layers} layers, hidden ${c.hidden}, embedding ${c.embedding}`,
    // Per layer and token: the gates, cell and hidden state kept for backpropagation through time, with room.
    trainingActivationBytesPerToken: (c) => (c.layers * 24 * c.hidden + 4 * c.embedding) * 4,
  });
}
