// A classifier's report as text, for the CLI, the chat and `models`: the classifier against the two
// baselines on the same held-out rows, per-class precision and recall, and the confusion matrix.
import type { ClassifyFigures, ClassifyReport } from '../engine/types.js';
import { table } from './format.js';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function classifyReportLines(r: ClassifyReport): string[] {
  const head = `classifier report (data: ${r.data}; ${r.trainRows} train / ${r.valRows} held-out rows, ${r.split === 'stratified' ? 'stratified' : 'split column'}; ${r.labels.length} labels; ${r.pool} pooling${r.unfreeze > 0 ? `, top ${r.unfreeze} layer(s) unfrozen` : ''})`;
  const lines = [head];
  if (r.badRows > 0) lines.push(`  skipped ${r.badRows} empty or malformed row(s): ${r.badExamples.join('; ')}`);
  if (r.truncated > 0) lines.push(`  ${r.truncated} text(s) longer than ${r.maxTokens} tokens were cut to their first ${r.maxTokens}`);
  const row = (name: string, f: ClassifyFigures) => [name, pct(f.accuracy), f.macroF1.toFixed(3)];
  lines.push(
    ...table(['  held-out', 'accuracy', 'macro-F1'], [row('  classifier', r.classifier), row('  majority class', r.majority), row('  char n-gram LR', r.ngram)]),
    '',
    ...table(
      ['  per class', 'precision', 'recall', 'rows'],
      r.classifier.perClass.map((p) => [`  ${p.label}`, p.precision.toFixed(2), p.recall.toFixed(2), String(p.support)]),
    ),
    '',
    ...confusionLines(r.labels, r.classifier.confusion),
  );
  return lines;
}

/** Rows: true label; columns: predicted (labels shortened to 5 characters). */
export function confusionLines(labels: readonly string[], confusion: readonly (readonly number[])[]): string[] {
  const short = labels.map((l) => l.slice(0, 5));
  return table(
    ['  confusion (true \\ predicted)', ...short],
    labels.map((l, i) => [`  ${l}`, ...confusion[i]!.map(String)]),
  );
}

/** One line: what transfer bought over the better baseline. */
export function classifySummary(r: ClassifyReport): string {
  const baseline = r.ngram.macroF1 >= r.majority.macroF1 ? { name: 'char n-gram', f: r.ngram } : { name: 'majority', f: r.majority };
  const delta = r.classifier.macroF1 - baseline.f.macroF1;
  return `macro-F1 ${r.classifier.macroF1.toFixed(3)} (accuracy ${pct(r.classifier.accuracy)}); best baseline ${baseline.name} ${baseline.f.macroF1.toFixed(3)}, ${delta >= 0 ? '+' : ''}${delta.toFixed(3)}`;
}
