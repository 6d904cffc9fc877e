// The saved settings keep to the same ranges as /set: a value the parser refuses is refused here too.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, SettingsStore } from './settings-store.js';
import { useTempDir } from '#test/support/temp.js';

const tempDir = useTempDir();

const fresh = () => tempDir('inkling-settings-');

describe('settings store ranges', () => {
  it('refuses a temperature above 5, as /set does', () => {
    const store = new SettingsStore(fresh());
    expect(() => store.set('temperature', 6)).toThrow(/bad value for temperature/);
    store.set('temperature', 5);
    expect(store.settings.temperature).toBe(5);
  });

  it('resets saved values outside the ranges to the defaults, with a warning', () => {
    const dir = fresh();
    const settings = { ...DEFAULT_SETTINGS, temperature: 7, maxTokens: 200_000, topP: 0.5 };
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ settings, lastModel: null }));
    const store = new SettingsStore(dir);
    expect(store.settings).toEqual({ ...DEFAULT_SETTINGS, topP: 0.5 });
    expect(store.warnings.join('\n')).toMatch(/temperature, maxTokens/);
  });
});
