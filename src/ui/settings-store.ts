// Persisted chat settings (sampling, context mode, last model) with `conf`, in the config folder.
// A corrupted or hand-broken config file is backed up and reset with a warning, never a crash.
import { existsSync, mkdtempSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Conf from 'conf';
import type { ChatSettings } from '../commands/types.js';
import { firstLine } from '../engine/first-line.js';
import { inRange, SAMPLING_RANGES } from '../engine/sample-settings.js';

export const DEFAULT_SETTINGS: ChatSettings = {
  temperature: 0.8,
  topK: 40,
  topP: 0.95,
  maxTokens: 200,
  seed: null,
  context: false,
  probs: false,
};

interface Stored {
  settings: ChatSettings;
  lastModel: string | null;
  /** /system prompts, per model name. */
  systemPrompts: Record<string, string>;
}

/** Longer than any sensible system prompt; a bigger one is a paste gone wrong. */
export const MAX_SYSTEM_PROMPT = 8000;

type Check = (v: unknown) => boolean;
const CHECKS: { [K in keyof ChatSettings]: Check } = {
  temperature: (v) => inRange(v, SAMPLING_RANGES.temperature),
  topK: (v) => inRange(v, SAMPLING_RANGES.topK),
  topP: (v) => inRange(v, SAMPLING_RANGES.topP),
  maxTokens: (v) => inRange(v, SAMPLING_RANGES.maxTokens),
  seed: (v) => v === null || inRange(v, SAMPLING_RANGES.seed),
  context: (v) => typeof v === 'boolean',
  probs: (v) => typeof v === 'boolean',
};

export class SettingsStore {
  /** One line per problem found while loading (shown in the transcript). */
  readonly warnings: string[] = [];
  private readonly conf: Conf<Stored>;
  private current: ChatSettings;

  constructor(dir: string) {
    this.conf = openConf(dir, this.warnings);
    this.current = sanitize(this.conf.get('settings'), this.warnings);
  }

  get settings(): ChatSettings {
    return this.current;
  }

  set<K extends keyof ChatSettings>(key: K, value: ChatSettings[K]): void {
    if (!(key in CHECKS)) throw new Error(`unknown setting: ${String(key)}`);
    if (!CHECKS[key](value)) throw new Error(`bad value for ${String(key)}: ${JSON.stringify(value)}`);
    this.current = { ...this.current, [key]: value };
    this.save(() => this.conf.set('settings', this.current));
  }

  get lastModel(): string | null {
    const v = this.conf.get('lastModel');
    return typeof v === 'string' && v !== '' ? v : null;
  }

  set lastModel(name: string | null) {
    this.save(() => this.conf.set('lastModel', name));
  }

  /** The /system prompt kept for `model`, or null. */
  systemPrompt(model: string): string | null {
    const all = this.conf.get('systemPrompts');
    const v = all && typeof all === 'object' ? (all as Record<string, unknown>)[model] : undefined;
    return typeof v === 'string' && v !== '' && v.length <= MAX_SYSTEM_PROMPT ? v : null;
  }

  setSystemPrompt(model: string, text: string | null): void {
    if (text !== null && text.length > MAX_SYSTEM_PROMPT) throw new Error(`a system prompt is at most ${MAX_SYSTEM_PROMPT} characters`);
    const stored = this.conf.get('systemPrompts');
    const all: Record<string, string> = stored && typeof stored === 'object' && !Array.isArray(stored) ? { ...stored } : {};
    if (text === null || text === '') delete all[model];
    else all[model] = text;
    this.save(() => this.conf.set('systemPrompts', all));
  }

  private save(write: () => void): void {
    try {
      write();
    } catch (err) {
      // A read-only config folder costs persistence, not the chat.
      this.warnings.push(`Could not save settings: ${(err as Error).message}`);
    }
  }
}

function openConf(dir: string, warnings: string[]): Conf<Stored> {
  const make = (cwd: string) =>
    new Conf<Stored>({
      cwd,
      configName: 'config',
      projectName: 'inkling',
      defaults: { settings: DEFAULT_SETTINGS, lastModel: null, systemPrompts: {} },
      clearInvalidConfig: false,
    });
  try {
    return openIn(dir, () => make(dir), warnings);
  } catch (err) {
    // An unusable config folder (a file, no permission) costs persistence, not the chat.
    warnings.push(`Could not use the config folder ${dir} (${firstLine(err)}): settings will not be kept after this session.`);
    return make(mkdtempSync(path.join(tmpdir(), 'inkling-config-')));
  }
}

/** Open the config in `dir`; a corrupted config.json is backed up and reset. */
function openIn(dir: string, make: () => Conf<Stored>, warnings: string[]): Conf<Stored> {
  const file = path.join(dir, 'config.json');
  const backUp = (why: string) => {
    const backup = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(file, backup);
    warnings.push(`The config file was unreadable (${why}): saved it as ${path.basename(backup)} and reset the settings.`);
  };
  // Valid JSON that is not an object (a list, a number) would load as empty settings without a word.
  const shape = storedShape(file);
  if (shape !== null && shape !== 'object') backUp(`it holds ${shape}, not settings`);
  try {
    return make();
  } catch (err) {
    if (!existsSync(file)) throw err;
    backUp(firstLine(err));
    return make();
  }
}

/** What config.json holds: null when missing or unreadable as JSON (conf reports that), else its kind. */
function storedShape(file: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
  if (Array.isArray(parsed)) return 'a list';
  return parsed !== null && typeof parsed === 'object' ? 'object' : `a ${parsed === null ? 'null' : typeof parsed}`;
}

function sanitize(raw: unknown, warnings: string[]): ChatSettings {
  const source = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const bad: string[] = [];
  for (const key of Object.keys(DEFAULT_SETTINGS) as (keyof ChatSettings)[]) {
    const value = source[key];
    if (value === undefined) out[key] = DEFAULT_SETTINGS[key];
    else if (CHECKS[key](value)) out[key] = value;
    else {
      out[key] = DEFAULT_SETTINGS[key];
      bad.push(key);
    }
  }
  if (bad.length > 0) warnings.push(`Reset bad saved settings to defaults: ${bad.join(', ')}.`);
  return out as unknown as ChatSettings;
}
