// The one home of the sampling settings' ranges: the command parsers (commands/sampling.ts) and the
// saved chat settings (ui/settings-store.ts) both read them, so a value one accepts the other keeps.

export interface SettingRange {
  type: 'number' | 'integer';
  min: number;
  max?: number;
  /** The minimum itself is not allowed: (min, max]. */
  minExclusive?: boolean;
}

export const SAMPLING_RANGES = {
  temperature: { type: 'number', min: 0, max: 5 },
  topK: { type: 'integer', min: 0 },
  topP: { type: 'number', min: 0, max: 1, minExclusive: true },
  maxTokens: { type: 'integer', min: 1, max: 100_000 },
  seed: { type: 'integer', min: 0, max: 2 ** 32 - 1 },
} as const satisfies Record<string, SettingRange>;

/** Whether `value` is a finite number inside `range`. */
export function inRange(value: unknown, range: SettingRange): value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  if (range.type === 'integer' && !Number.isInteger(value)) return false;
  if (range.minExclusive ? value <= range.min : value < range.min) return false;
  return range.max === undefined || value <= range.max;
}
