// Declarative flags for every command: one declaration drives util.parseArgs, value checks and help text.
import { parseArgs } from 'node:util';
import { closest, distance } from 'fastest-levenshtein';
import { CommandError } from './types.js';

/** A user error in how a command was called (the CLI exits 2), found after parsing. */
export class UsageError extends CommandError {}

export interface OptionSpec {
  type: 'string' | 'boolean' | 'integer' | 'number';
  short?: string;
  /** Allowed values of a string option. */
  choices?: readonly string[];
  min?: number;
  max?: number;
  /** The minimum itself is not allowed: (min, max]. */
  minExclusive?: boolean;
  /** May be given several times (collected in order). */
  multiple?: boolean;
  required?: boolean;
  /** Placeholder in usage text, e.g. N, NAME. */
  arg?: string;
  description: string;
  /** What Tab offers for the value. */
  values?: 'model' | 'corpus' | 'preset';
}

export interface PositionalSpec {
  name: string;
  description: string;
  required?: boolean;
  /** Takes every remaining word (joined with spaces). */
  rest?: boolean;
  values?: 'model' | 'corpus' | 'command' | 'setting';
}

export interface ArgSpec {
  options: Record<string, OptionSpec>;
  positionals?: readonly PositionalSpec[];
  /** Groups of flags that exclude each other. */
  exclusive?: readonly (readonly string[])[];
  /** At least one flag of each group is needed. */
  oneOf?: readonly (readonly string[])[];
  examples?: readonly string[];
}

type ValueOf<O extends OptionSpec> = O['type'] extends 'boolean' ? boolean : O['type'] extends 'string' ? string : number;

export type ParsedOptions<O extends Record<string, OptionSpec>> = {
  [K in keyof O]?: O[K] extends { multiple: true } ? ValueOf<O[K]>[] : ValueOf<O[K]>;
};

export interface Parsed<S extends ArgSpec> {
  options: ParsedOptions<S['options']>;
  positionals: string[];
}

/** Quote user text for a one-line message: escaped control characters, bounded length. */
export function quote(text: string, max = 40): string {
  const cut = [...text].length > max ? [...text].slice(0, max).join('') + '…' : text;
  return JSON.stringify(cut);
}

/**
 * A suggestion must share more than this share of its letters with the word (1 - edits / length):
 * "nope" is two edits from "topk", half its letters, so it gets no suggestion; "hlep" gets "help".
 */
const MIN_SIMILARITY = 0.5;

/** "did you mean X?" when `word` is close to one of `candidates`. */
export function suggest(word: string, candidates: readonly string[]): string | null {
  if (candidates.length === 0 || word.length === 0) return null;
  const best = closest(word, candidates as string[]);
  const longest = Math.max(word.length, best.length);
  return 1 - distance(word, best) / longest > MIN_SIMILARITY || swapsTwoNeighbours(word, best) ? best : null;
}

/** "gtp" for "gpt": one transposition, which Levenshtein counts as two edits. */
function swapsTwoNeighbours(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const diff = [...a].flatMap((c, i) => (c === b[i] ? [] : [i]));
  return diff.length === 2 && diff[1] === diff[0]! + 1 && a[diff[0]!] === b[diff[1]!] && a[diff[1]!] === b[diff[0]!];
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

function describeRange(spec: OptionSpec): string {
  const { min, max } = spec;
  if (min !== undefined && max !== undefined) {
    return spec.minExclusive ? `above ${min} and at most ${max}` : `between ${min} and ${max}`;
  }
  if (min !== undefined) return spec.minExclusive ? `above ${min}` : `at least ${min}`;
  return `at most ${max}`;
}

/** Check and convert one flag value (also used by /set). */
export function convertValue(flag: string, spec: OptionSpec, raw: string): string | number {
  if (spec.type === 'string') {
    if (spec.choices && !spec.choices.includes(raw)) {
      const near = suggest(raw, spec.choices);
      throw new CommandError(
        `${flag} must be one of ${spec.choices.join(', ')}, got ${quote(raw)}` + (near ? ` (did you mean ${near}?)` : ''),
      );
    }
    return raw;
  }
  const text = raw.trim();
  const integer = spec.type === 'integer';
  if (!(integer ? INTEGER : NUMBER).test(text)) {
    if (integer && NUMBER.test(text)) throw new CommandError(`${flag} needs a whole number, got ${quote(raw)}`);
    throw new CommandError(`${flag} needs ${integer ? 'a whole number' : 'a number'}, got ${quote(raw)}`);
  }
  const value = Number(text);
  if (!Number.isFinite(value) || (integer && !Number.isSafeInteger(value))) {
    throw new CommandError(`${flag} is out of range, got ${quote(raw)}`);
  }
  const tooLow = spec.min !== undefined && (spec.minExclusive ? value <= spec.min : value < spec.min);
  const tooHigh = spec.max !== undefined && value > spec.max;
  if (tooLow || tooHigh) throw new CommandError(`${flag} must be ${describeRange(spec)}, got ${text}`);
  return value;
}

const NEGATIVE = /^-(\d|\.\d|inf|nan)/i;
/** Hides a leading dash from parseArgs; removed again from the positionals. */
const POSITIONAL_MARK = '\uE000';

function flagOf(spec: ArgSpec, token: string): [string, OptionSpec] | null {
  if (token.startsWith('--')) {
    const name = token.slice(2).split('=')[0]!;
    const option = spec.options[name];
    return option ? [name, option] : null;
  }
  if (/^-[^-]$/.test(token)) {
    const entry = Object.entries(spec.options).find(([, o]) => o.short === token[1]);
    return entry ?? null;
  }
  return null;
}

/**
 * `--temperature -1` or `--prompt -x` would make parseArgs complain about an "ambiguous" value:
 * a value-taking flag followed by something that is not a known flag takes it as its value.
 */
function attachDashValues(spec: ArgSpec, argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const flag = token.includes('=') ? null : flagOf(spec, token);
    const next = argv[i + 1];
    if (flag && flag[1].type !== 'boolean' && next !== undefined && next.startsWith('-') && next !== '--' && !flagOf(spec, next)) {
      out.push(`--${flag[0]}=${next}`);
      i++;
    } else if (spec.positionals?.length && NEGATIVE.test(token)) {
      out.push(POSITIONAL_MARK + token); // `/set top-k -1`: a value, not a flag
    } else {
      out.push(token);
    }
  }
  return out;
}

function translateParseError(command: string, spec: ArgSpec, error: unknown): CommandError {
  const err = error as { code?: string; message?: string };
  const message = String(err.message ?? error).split('\n')[0]!;
  const named = /'([^']*)'/.exec(message)?.[1] ?? '';
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const flags = Object.keys(spec.options).map((n) => `--${n}`);
      const near = suggest(named.split('=')[0]!, flags);
      return new CommandError(
        `unknown flag ${quote(named)} for ${command}` + (near ? ` (did you mean ${near}?)` : '') + ` — ${command} --help lists flags`,
      );
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new CommandError(`unexpected argument ${quote(named)} for ${command} — usage: ${usageLine(command, spec)}`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const flag = named.split(' ')[0]!;
      if (message.includes('does not take an argument')) return new CommandError(`${flag} takes no value`);
      return new CommandError(`${flag} needs a value`);
    }
    default:
      return new CommandError(`${command}: ${message}`);
  }
}

/** Parse argv for `command` strictly: unknown flags, bad numbers and missing values become one-line CommandErrors. */
export function parseWith<S extends ArgSpec>(command: string, spec: S, argv: readonly string[]): Parsed<S> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, option] of Object.entries(spec.options)) {
    options[name] = {
      type: option.type === 'boolean' ? 'boolean' : 'string',
      ...(option.short ? { short: option.short } : {}),
      ...(option.multiple ? { multiple: true } : {}),
    };
  }
  let result: ReturnType<typeof parseArgs>;
  try {
    result = parseArgs({
      args: attachDashValues(spec, argv),
      options,
      strict: true,
      allowPositionals: (spec.positionals?.length ?? 0) > 0,
      tokens: true,
    });
  } catch (error) {
    throw translateParseError(command, spec, error);
  }

  const seen = new Map<string, number>();
  for (const token of result.tokens ?? []) {
    if (token.kind === 'option') seen.set(token.name, (seen.get(token.name) ?? 0) + 1);
  }
  const values: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(spec.options)) {
    const raw = result.values[name] as string | boolean | (string | boolean)[] | undefined;
    if (raw === undefined) {
      if (option.required) throw new CommandError(`--${name} is required — usage: ${usageLine(command, spec)}`);
      continue;
    }
    if (!option.multiple && (seen.get(name) ?? 0) > 1) throw new CommandError(`--${name} was given more than once`);
    const convert = (v: string | boolean) => (typeof v === 'boolean' ? v : convertValue(`--${name}`, option, v));
    values[name] = Array.isArray(raw) ? raw.map(convert) : convert(raw);
  }
  for (const group of spec.exclusive ?? []) {
    const given = group.filter((n) => values[n] !== undefined);
    if (given.length > 1) throw new CommandError(`use ${given.map((n) => `--${n}`).join(' or ')}, not both`);
  }
  for (const group of spec.oneOf ?? []) {
    if (!group.some((n) => values[n] !== undefined)) {
      throw new CommandError(`${command} needs ${group.map((n) => `--${n}`).join(' or ')} — usage: ${usageLine(command, spec)}`);
    }
  }

  const positionals = result.positionals.map((p) => (p.startsWith(POSITIONAL_MARK) ? p.slice(1) : p));
  const declared = spec.positionals ?? [];
  const last = declared[declared.length - 1];
  if (last?.rest && positionals.length > declared.length) {
    positionals.splice(declared.length - 1, positionals.length, positionals.slice(declared.length - 1).join(' '));
  }
  if (positionals.length > declared.length) {
    throw new CommandError(`unexpected argument ${quote(positionals[declared.length]!)} for ${command} — usage: ${usageLine(command, spec)}`);
  }
  const missing = declared.find((p, i) => p.required && positionals[i] === undefined);
  if (missing) throw new CommandError(`${command} needs ${missing.name} — usage: ${usageLine(command, spec)}`);
  return { options: values as ParsedOptions<S['options']>, positionals };
}

function optionWords(name: string, option: OptionSpec): string {
  if (option.type === 'boolean') return `--${name}`;
  const arg = option.choices ? option.choices.join('|') : (option.arg ?? (option.type === 'string' ? 'TEXT' : 'N'));
  return `--${name} ${arg}`;
}

/** One line: `train --corpus C --arch gpt|lstm|gru [--steps N] ...` */
export function usageLine(command: string, spec: ArgSpec): string {
  const parts = [command];
  for (const p of spec.positionals ?? []) {
    const word = p.rest ? `${p.name}...` : p.name;
    parts.push(p.required ? word : `[${word}]`);
  }
  for (const [name, option] of Object.entries(spec.options)) {
    const words = optionWords(name, option) + (option.multiple ? '...' : '');
    parts.push(option.required ? words : `[${words}]`);
  }
  return parts.join(' ');
}

/** Flags table and examples, from the same declarations as the parser. */
export function helpText(command: string, summary: string, spec: ArgSpec, scopeNote?: string): string {
  const rows: [string, string][] = [];
  for (const p of spec.positionals ?? []) rows.push([p.name, p.description + (p.required ? '' : ' (optional)')]);
  for (const [name, option] of Object.entries(spec.options)) {
    const left = (option.short ? `-${option.short}, ` : '') + optionWords(name, option);
    const notes: string[] = [];
    if (option.required) notes.push('required');
    if (option.type !== 'boolean' && (option.min !== undefined || option.max !== undefined)) notes.push(describeRange(option));
    if (option.multiple) notes.push('repeatable');
    rows.push([left, option.description + (notes.length ? ` (${notes.join('; ')})` : '')]);
  }
  rows.push(['-h, --help', 'show this help']);
  const width = Math.min(32, Math.max(...rows.map(([l]) => l.length)));
  const lines = [`usage: ${usageLine(command, spec)}`, '', summary];
  if (scopeNote) lines.push(scopeNote);
  lines.push('', ...rows.map(([l, r]) => `  ${l.padEnd(width)}  ${r}`));
  for (const [label, group] of [['one of', spec.oneOf], ['not together', spec.exclusive]] as const) {
    for (const g of group ?? []) lines.push(`  ${label}: ${g.map((n) => `--${n}`).join(', ')}`);
  }
  if (spec.examples?.length) lines.push('', 'examples:', ...spec.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}

/** Flags of `spec` that start with `word`. */
export function completeFlags(spec: ArgSpec, word: string): string[] {
  return ['help', ...Object.keys(spec.options)].map((n) => `--${n}`).filter((f) => f.startsWith(word));
}
