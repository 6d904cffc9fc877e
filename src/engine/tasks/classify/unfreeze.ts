// Stage 2 of the classic recipe: unfreeze the top N blocks of the base and train them with the head,
// end to end, at a lower learning rate; keep the best held-out macro-F1 (weights of both).
import * as tf from '@tensorflow/tfjs-core';
import { figures } from './metrics.js';
import { classWeights, predict, weightedLoss, type LinearHead } from './head.js';
import { extractFeatures, textFeatures, type Chunked, type Pool } from './features.js';
import { seededRandom } from './data.js';
import type { ClassifyFigures, LanguageModel } from '../../types.js';

/** The base's weights in its top N layer groups, plus its final "head" group (gpt's last LayerNorm) when N > 0. */
export function unfrozenWeights(model: LanguageModel, n: number): tf.Variable[] {
  if (n <= 0) return [];
  const layers = [...new Set(model.weights.map((w) => w.group).filter((g) => /^layer\d+$/.test(g)))];
  if (n > layers.length) throw new Error(`--unfreeze ${n}: the base has only ${layers.length} layer(s)`);
  const top = new Set(layers.slice(layers.length - n));
  return model.weights.filter((w) => top.has(w.group) || w.group === 'head').map((w) => w.variable);
}

export interface UnfreezeRun {
  model: LanguageModel;
  head: LinearHead;
  labels: readonly string[];
  train: Chunked;
  y: readonly number[];
  val: Chunked;
  yVal: readonly number[];
  pool: Pool;
  layers: number;
  epochs: number;
  learningRate: number;
  balance: boolean;
  seed: number;
  best: ClassifyFigures;
  batchTexts?: number;
  shouldStop: () => boolean;
  onEpoch: (epoch: number, loss: number, val: ClassifyFigures, best: boolean) => Promise<void>;
}

export async function unfreezeStage(o: UnfreezeRun): Promise<{ figures: ClassifyFigures; predicted: number[] | null; epochs: number; stopped: boolean }> {
  const base = unfrozenWeights(o.model, o.layers);
  const vars = [...base, o.head.kernel, o.head.bias];
  const optimizer = tf.train.adam(o.learningRate);
  const C = o.labels.length;
  const weights = tf.tensor1d(classWeights(o.y, C, o.balance));
  const random = seededRandom(o.seed + 7);
  const batch = o.batchTexts ?? 16;
  let bestFigures = o.best;
  let bestPredicted: number[] | null = null;
  // The weights to return to: the frozen-stage ones until an epoch beats them.
  let bestValues: tf.Tensor[] = vars.map((v) => tf.keep(v.clone()));
  let epoch = 0;
  let stopped = false;
  try {
    for (epoch = 1; epoch <= o.epochs && !stopped; epoch++) {
      // Batches of consecutive texts in a shuffled order of batches (textFeatures takes a range).
      const starts = Array.from({ length: Math.ceil(o.train.texts / batch) }, (_, i) => i * batch);
      for (let i = starts.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [starts[i], starts[j]] = [starts[j]!, starts[i]!];
      }
      let lossSum = 0;
      for (const [k, start] of starts.entries()) {
        const end = Math.min(o.train.texts, start + batch);
        const yb = tf.tensor1d(o.y.slice(start, end) as number[], 'int32');
        const loss = optimizer.minimize(
          () => weightedLoss(o.head.logits(textFeatures(o.model, o.train, start, end, o.pool, true), true, o.seed + epoch * 7919 + k), yb, weights, C),
          true,
          vars,
        )!;
        lossSum += (await loss.data())[0]!;
        tf.dispose([yb, loss]);
        if (o.shouldStop()) {
          stopped = true;
          break;
        }
      }
      if (stopped) break;
      const xVal = await extractFeatures(o.model, o.val, o.pool);
      const predicted = await predict(o.head, xVal);
      xVal.dispose();
      const val = figures(o.labels, o.yVal, predicted);
      const better = val.macroF1 > bestFigures.macroF1;
      if (better) {
        tf.dispose(bestValues);
        bestValues = vars.map((v) => tf.keep(v.clone()));
        bestFigures = val;
        bestPredicted = predicted;
      }
      await o.onEpoch(epoch, lossSum / starts.length, val, better);
    }
    // Back to the best epoch's weights; with none better than the frozen head, the ones it started from.
    vars.forEach((v, i) => v.assign(bestValues[i]!));
    return { figures: bestFigures, predicted: bestPredicted, epochs: Math.min(epoch, o.epochs), stopped };
  } finally {
    tf.dispose(bestValues);
    optimizer.dispose();
    weights.dispose();
  }
}
