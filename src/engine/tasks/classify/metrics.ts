// Figures of a classifier on held-out rows: accuracy, macro-F1, per-class precision and recall,
// and the confusion matrix (rows: true label, columns: predicted). Plain numbers, no tensors.
import type { ClassifyFigures } from '../../types.js';

export function figures(labels: readonly string[], truth: readonly number[], predicted: readonly number[]): ClassifyFigures {
  if (truth.length !== predicted.length) throw new Error('truth and predictions differ in length');
  const C = labels.length;
  const confusion = labels.map(() => new Array<number>(C).fill(0));
  truth.forEach((t, i) => confusion[t]![predicted[i]!]!++);
  let correct = 0;
  for (let c = 0; c < C; c++) correct += confusion[c]![c]!;
  const perClass = labels.map((label, c) => {
    const tp = confusion[c]![c]!;
    const support = confusion[c]!.reduce((a, b) => a + b, 0);
    const predictedAs = confusion.reduce((a, row) => a + row[c]!, 0);
    const precision = predictedAs === 0 ? 0 : tp / predictedAs;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label, precision, recall, f1, support };
  });
  // Macro-F1 over the classes present in the held-out rows (an absent class has no recall to speak of).
  const present = perClass.filter((p) => p.support > 0);
  const macroF1 = present.length === 0 ? 0 : present.reduce((a, p) => a + p.f1, 0) / present.length;
  return { accuracy: truth.length === 0 ? 0 : correct / truth.length, macroF1, perClass, confusion };
}

/** Index of the largest value in each row of a row-major [n, C] array. */
export function argmaxRows(values: ArrayLike<number>, C: number): number[] {
  const out: number[] = [];
  for (let i = 0; i * C < values.length; i++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (values[i * C + c]! > values[i * C + best]!) best = c;
    out.push(best);
  }
  return out;
}
