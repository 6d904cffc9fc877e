// The linear head (with dropout on its input) and its training on cached features: minibatch Adam,
// optional class weights, early stopping on held-out macro-F1 keeping the best weights. The
// character n-gram baseline trains with the same code, so the comparison is like for like.
import * as tf from '@tensorflow/tfjs-core';
import { argmaxRows, figures } from './metrics.js';
import { seededRandom } from './data.js';
import type { ClassifyFigures } from '../../types.js';

export interface HeadJSON {
  inputs: number;
  classes: number;
  /** Feature standardisation fitted on the train rows (identity for the n-gram baseline). */
  mean: number[];
  scale: number[];
  kernel: number[];
  bias: number[];
  dropout: number;
}

export class LinearHead {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
  private readonly mean: tf.Tensor1D;
  private readonly scale: tf.Tensor1D;

  constructor(readonly json: Omit<HeadJSON, 'kernel' | 'bias'> & Partial<Pick<HeadJSON, 'kernel' | 'bias'>>, seed = 1) {
    const { inputs: d, classes: C } = json;
    this.mean = tf.keep(tf.tensor1d(json.mean));
    this.scale = tf.keep(tf.tensor1d(json.scale));
    const kernel = json.kernel ? tf.tensor2d(json.kernel, [d, C]) : tf.randomNormal([d, C], 0, 1 / Math.sqrt(d), 'float32', seed);
    const bias = json.bias ? tf.tensor1d(json.bias) : tf.zeros([C]);
    this.kernel = tf.variable(kernel, true);
    this.bias = tf.variable(bias, true);
    tf.dispose([kernel, bias]);
  }

  /** Logits [n, C] for features [n, d]. Caller owns the result. */
  logits(x: tf.Tensor2D, training: boolean, seed = 0): tf.Tensor2D {
    return tf.tidy(() => {
      let z = tf.mul(tf.sub(x, this.mean), this.scale) as tf.Tensor2D;
      if (training && this.json.dropout > 0) z = tf.dropout(z, this.json.dropout, undefined, seed) as tf.Tensor2D;
      return tf.add(tf.matMul(z, this.kernel), this.bias) as tf.Tensor2D;
    });
  }

  async toJSON(): Promise<HeadJSON> {
    return { ...this.json, kernel: Array.from(await this.kernel.data()), bias: Array.from(await this.bias.data()) };
  }

  async assign(weights: { kernel: tf.Tensor; bias: tf.Tensor }): Promise<void> {
    this.kernel.assign(weights.kernel);
    this.bias.assign(weights.bias);
  }

  dispose(): void {
    tf.dispose([this.kernel, this.bias, this.mean, this.scale]);
  }
}

/** Mean and 1/std of each feature over the train rows. */
export async function standardisation(x: tf.Tensor2D): Promise<{ mean: number[]; scale: number[] }> {
  const [mean, scale] = tf.tidy(() => {
    const m = tf.moments(x, 0);
    return [m.mean, tf.div(1, tf.sqrt(tf.add(m.variance, 1e-6)))];
  });
  try {
    return { mean: Array.from(await mean.data()), scale: Array.from(await scale.data()) };
  } finally {
    tf.dispose([mean, scale]);
  }
}

/** Per-class loss weights n / (C * n_c) (`--balance`), or all ones. */
export function classWeights(y: readonly number[], C: number, balance: boolean): number[] {
  if (!balance) return new Array<number>(C).fill(1);
  const counts = new Array<number>(C).fill(0);
  for (const c of y) counts[c]!++;
  return counts.map((n) => (n === 0 ? 0 : y.length / (C * n)));
}

/** Weighted mean cross-entropy of logits [n, C] against labels. */
export function weightedLoss(logits: tf.Tensor2D, y: tf.Tensor1D, weights: tf.Tensor1D, C: number): tf.Scalar {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits);
    const onehot = tf.oneHot(y, C);
    const w = tf.gather(weights, y);
    const nll = tf.neg(tf.sum(tf.mul(logp, onehot), 1));
    return tf.div(tf.sum(tf.mul(nll, w)), tf.maximum(tf.sum(w), 1e-8)) as tf.Scalar;
  });
}

export async function predict(head: LinearHead, x: tf.Tensor2D): Promise<number[]> {
  const logits = head.logits(x, false);
  try {
    return argmaxRows(await logits.data(), head.json.classes);
  } finally {
    logits.dispose();
  }
}

export interface HeadTraining {
  labels: readonly string[];
  x: tf.Tensor2D;
  y: readonly number[];
  xVal: tf.Tensor2D;
  yVal: readonly number[];
  epochs: number;
  learningRate: number;
  dropout: number;
  balance: boolean;
  standardise: boolean;
  /** Epochs without a better held-out macro-F1 before stopping. */
  patience: number;
  seed: number;
  batchSize?: number;
  /** Start from these weights (resume) instead of random ones. */
  start?: HeadJSON;
  shouldStop?: () => boolean;
  onEpoch?: (epoch: number, loss: number, val: ClassifyFigures, best: boolean) => void;
}

export interface HeadResult {
  head: LinearHead;
  figures: ClassifyFigures;
  predicted: number[];
  epochs: number;
  stoppedEarly: boolean;
  stopped: boolean;
}

export async function trainHead(o: HeadTraining): Promise<HeadResult> {
  const [n, d] = o.x.shape;
  const C = o.labels.length;
  const norm = o.standardise ? await standardisation(o.x) : { mean: new Array<number>(d).fill(0), scale: new Array<number>(d).fill(1) };
  const head = new LinearHead({ inputs: d, classes: C, ...norm, dropout: o.dropout, ...(o.start ? { kernel: o.start.kernel, bias: o.start.bias, mean: o.start.mean, scale: o.start.scale } : {}) }, o.seed);
  const optimizer = tf.train.adam(o.learningRate);
  const weights = tf.tensor1d(classWeights(o.y, C, o.balance));
  const random = seededRandom(o.seed);
  const batch = o.batchSize ?? 32;
  let best: { kernel: tf.Tensor; bias: tf.Tensor; figures: ClassifyFigures; predicted: number[] } | null = null;
  let sinceBest = 0;
  let epoch = 0;
  let stopped = false;
  try {
    for (epoch = 1; epoch <= o.epochs; epoch++) {
      const order = Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      let lossSum = 0;
      let batches = 0;
      for (let start = 0; start < n; start += batch) {
        const rows = order.slice(start, start + batch);
        const idx = tf.tensor1d(rows, 'int32');
        const yb = tf.tensor1d(rows.map((r) => o.y[r]!), 'int32');
        const xb = tf.gather(o.x, idx) as tf.Tensor2D;
        const stepSeed = o.seed * 100_003 + epoch * 1_009 + batches;
        const loss = optimizer.minimize(() => weightedLoss(head.logits(xb, true, stepSeed), yb, weights, C), true, [head.kernel, head.bias])!;
        lossSum += (await loss.data())[0]!;
        batches++;
        tf.dispose([idx, yb, xb, loss]);
      }
      const predicted = await predict(head, o.xVal);
      const val = figures(o.labels, o.yVal, predicted);
      const better = !best || val.macroF1 > best.figures.macroF1;
      if (better) {
        if (best) tf.dispose([best.kernel, best.bias]);
        best = { kernel: tf.keep(head.kernel.clone()), bias: tf.keep(head.bias.clone()), figures: val, predicted };
        sinceBest = 0;
      } else sinceBest++;
      o.onEpoch?.(epoch, lossSum / Math.max(1, batches), val, better);
      if (o.shouldStop?.()) {
        stopped = true;
        break;
      }
      if (o.patience > 0 && sinceBest >= o.patience) break;
    }
    const ran = Math.min(epoch, o.epochs);
    if (!best) throw new Error('the head trained for no epochs');
    await head.assign(best);
    return { head, figures: best.figures, predicted: best.predicted, epochs: ran, stoppedEarly: !stopped && ran < o.epochs, stopped };
  } catch (error) {
    head.dispose();
    throw error;
  } finally {
    if (best) tf.dispose([best.kernel, best.bias]);
    optimizer.dispose();
    weights.dispose();
  }
}
