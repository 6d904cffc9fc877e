// The two baselines every classifier report shows, on the same split: the majority class, and a
// logistic regression on character n-grams trained from nothing (no base model), with the same
// head trainer and early stopping as the classifier. What transfer bought is the difference.
import * as tf from '@tensorflow/tfjs-core';
import { figures } from './metrics.js';
import { trainHead } from './head.js';
import type { ClassifyFigures } from '../../types.js';

export function majorityBaseline(labels: readonly string[], yTrain: readonly number[], yVal: readonly number[]): { figures: ClassifyFigures; predicted: number[] } {
  const counts = new Array<number>(labels.length).fill(0);
  for (const c of yTrain) counts[c]!++;
  const majority = counts.indexOf(Math.max(...counts));
  const predicted = yVal.map(() => majority);
  return { figures: figures(labels, yVal, predicted), predicted };
}

/** Character n-grams of these sizes, the most frequent in the train texts kept as features. */
export const NGRAM = { sizes: [1, 2, 3, 4], features: 4000 };

function grams(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  const s = ` ${text.toLowerCase().replace(/\s+/g, ' ')} `;
  for (const n of NGRAM.sizes) for (let i = 0; i + n <= s.length; i++) {
    const g = s.slice(i, i + n);
    counts.set(g, (counts.get(g) ?? 0) + 1);
  }
  return counts;
}

/** log(1 + count) of each kept n-gram, each row scaled to unit length. */
function featurise(texts: readonly string[], vocab: Map<string, number>): tf.Tensor2D {
  const d = vocab.size;
  const x = new Float32Array(texts.length * d);
  texts.forEach((text, i) => {
    let norm = 0;
    for (const [g, c] of grams(text)) {
      const j = vocab.get(g);
      if (j === undefined) continue;
      const v = Math.log1p(c);
      x[i * d + j] = v;
      norm += v * v;
    }
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let j = 0; j < d; j++) x[i * d + j]! *= inv;
  });
  return tf.tensor2d(x, [texts.length, d]);
}

export async function ngramBaseline(o: {
  labels: readonly string[];
  train: { texts: readonly string[]; y: readonly number[] };
  val: { texts: readonly string[]; y: readonly number[] };
  balance: boolean;
  seed: number;
  shouldStop?: () => boolean;
}): Promise<{ figures: ClassifyFigures; predicted: number[] }> {
  const totals = new Map<string, number>();
  for (const text of o.train.texts) for (const [g, c] of grams(text)) totals.set(g, (totals.get(g) ?? 0) + c);
  const kept = [...totals.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, NGRAM.features);
  const vocab = new Map(kept.map(([g], j) => [g, j]));
  const x = featurise(o.train.texts, vocab);
  const xVal = featurise(o.val.texts, vocab);
  try {
    const result = await trainHead({
      labels: o.labels, x, y: o.train.y, xVal, yVal: o.val.y,
      epochs: 60, learningRate: 0.02, dropout: 0, balance: o.balance, standardise: false, patience: 8, seed: o.seed,
      shouldStop: o.shouldStop,
    });
    result.head.dispose();
    return { figures: result.figures, predicted: result.predicted };
  } finally {
    tf.dispose([x, xVal]);
  }
}
