// Fit a row of labelled fields into a width, giving way from the least important: each rank is first
// abbreviated, then dropped, before a more important one is touched. What matters most stays readable
// on a narrow terminal (the status bar, the run panel).
import stringWidth from 'string-width';

export interface Field {
  /** Full text. */
  text: string;
  /** A shorter text, tried before the field is dropped. */
  short?: string;
  /** 0 is most important and never dropped; higher ranks give way first. */
  rank: number;
  /** When the abbreviation is cheap (a label, not information), give it a higher rank than the field's own. */
  shortRank?: number;
  color?: string;
  dim?: boolean;
}

export interface FittedField extends Field {
  shown: string;
}

export function fitFields(fields: readonly Field[], width: number, separator = ' · '): FittedField[] {
  let kept: FittedField[] = fields.map((f) => ({ ...f, shown: f.text }));
  const total = () => kept.reduce((sum, f) => sum + stringWidth(f.shown), 0) + stringWidth(separator) * Math.max(0, kept.length - 1);
  const steps = kept.flatMap((field) => [
    ...(field.short === undefined ? [] : [{ rank: field.shortRank ?? field.rank, drop: false, field }]),
    ...(field.rank === 0 ? [] : [{ rank: field.rank, drop: true, field }]),
  ]);
  // Least important first; at one rank, abbreviate all together (so a pair like train/val loss reads alike)
  // before dropping any, and drop from the right.
  steps.sort((a, b) => b.rank - a.rank || Number(a.drop) - Number(b.drop) || (a.drop ? kept.indexOf(b.field) - kept.indexOf(a.field) : 0));
  for (let i = 0; i < steps.length && total() > width; i++) {
    const step = steps[i]!;
    if (step.drop) {
      kept = kept.filter((f) => f !== step.field);
      continue;
    }
    for (; i < steps.length && !steps[i]!.drop && steps[i]!.rank === step.rank; i++) steps[i]!.field.shown = steps[i]!.field.short!;
    i--;
  }
  return kept;
}
