// The sampling settings' names, ranges and parsing, shared by /set, its shortcuts, generate and compare.
import { SAMPLING_RANGES } from '../engine/sample-settings.js';
import { convertValue, quote, suggest, type OptionSpec } from './args.js';
import type { ChatSettings } from './types.js';
import { CommandError } from './types.js';

export const SAMPLING_OPTIONS = {
  temperature: { ...SAMPLING_RANGES.temperature, arg: 'T', description: 'randomness: 0 is greedy, 1 samples the model as is' },
  'top-k': { ...SAMPLING_RANGES.topK, arg: 'K', description: 'sample from the K likeliest tokens only (0: off)' },
  'top-p': { ...SAMPLING_RANGES.topP, arg: 'P', description: 'sample from the smallest set holding P of the probability (1: off)' },
  'max-tokens': { ...SAMPLING_RANGES.maxTokens, arg: 'N', description: 'longest reply, in tokens' },
  seed: { ...SAMPLING_RANGES.seed, arg: 'S', description: 'random seed, for repeatable samples' },
} as const satisfies Record<string, OptionSpec>;

export type SettingName = keyof typeof SAMPLING_OPTIONS | 'context';

/** Setting name (as typed) -> canonical name. */
const SETTING_ALIASES: Record<string, SettingName> = {
  temperature: 'temperature',
  temp: 'temperature',
  't': 'temperature',
  'top-k': 'top-k',
  topk: 'top-k',
  top_k: 'top-k',
  'top-p': 'top-p',
  topp: 'top-p',
  top_p: 'top-p',
  'max-tokens': 'max-tokens',
  max: 'max-tokens',
  maxtokens: 'max-tokens',
  max_tokens: 'max-tokens',
  seed: 'seed',
  context: 'context',
};

export const SETTING_NAMES: readonly SettingName[] = ['temperature', 'top-k', 'top-p', 'max-tokens', 'seed', 'context'];

export function settingName(typed: string): SettingName {
  const name = SETTING_ALIASES[typed.toLowerCase()];
  if (name) return name;
  const near = suggest(typed.toLowerCase(), SETTING_NAMES as string[]);
  throw new CommandError(
    `unknown setting ${quote(typed)}` + (near ? ` (did you mean ${near}?)` : '') + ` — settings: ${SETTING_NAMES.join(', ')}`,
  );
}

export type SettingChange =
  | { key: 'temperature' | 'topK' | 'topP' | 'maxTokens'; value: number }
  | { key: 'seed'; value: number | null }
  | { key: 'context'; value: boolean };

const KEYS = { temperature: 'temperature', 'top-k': 'topK', 'top-p': 'topP', 'max-tokens': 'maxTokens' } as const;

/** Validate a value for a setting; a one-line CommandError naming the setting when it is bad. */
export function parseSetting(name: SettingName, raw: string): SettingChange {
  if (name === 'context') {
    const on = ['on', 'true', 'yes', '1'].includes(raw.toLowerCase());
    const off = ['off', 'false', 'no', '0'].includes(raw.toLowerCase());
    if (!on && !off) throw new CommandError(`context must be on or off, got ${quote(raw)}`);
    return { key: 'context', value: on };
  }
  if (name === 'seed') {
    if (['random', 'none', 'off'].includes(raw.toLowerCase())) return { key: 'seed', value: null };
    return { key: 'seed', value: convertValue('seed', { ...SAMPLING_OPTIONS.seed, description: '' }, raw) as number };
  }
  return { key: KEYS[name], value: convertValue(name, SAMPLING_OPTIONS[name], raw) as number };
}

/** A setting's value as shown to the user. */
export function showSetting(settings: ChatSettings, name: SettingName): string {
  switch (name) {
    case 'temperature':
      return String(settings.temperature);
    case 'top-k':
      return settings.topK === 0 ? '0 (off)' : String(settings.topK);
    case 'top-p':
      return settings.topP === 1 ? '1 (off)' : String(settings.topP);
    case 'max-tokens':
      return String(settings.maxTokens);
    case 'seed':
      return settings.seed === null ? 'random' : String(settings.seed);
    case 'context':
      return settings.context ? 'on' : 'off';
  }
}

export function describeSettings(settings: ChatSettings): string {
  return SETTING_NAMES.map((n) => `${n} ${showSetting(settings, n)}`).join('  ');
}
