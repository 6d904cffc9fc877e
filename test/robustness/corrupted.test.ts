// Corrupted files: broken model folders are named and skipped by /models and `inkling models`
// while the other models keep working; the chat opens even when the last used model is broken; a
// corrupted config or history file is backed up and reset with a warning.
import { cpSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { chatContext, cliContext } from '../support/commands.js';
import { runArgv, runCommandLine } from '../../src/commands/dispatch.js';
import { loadModel, loadResumeState } from '../../src/engine/store/checkpoint.js';
import { Chat } from '../../src/ui/session.js';
import { realEngine } from '../../src/ui/real-engine.js';
import { SettingsStore } from '../../src/ui/settings-store.js';
import { InputHistory } from '../../src/ui/history.js';
import { makeTinyModel } from '../support/models.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();

let modelsDir: string;
const BROKEN: Record<string, RegExp> = {
  truncated: /truncated/,
  badjson: /manifest\.json is not valid JSON/,
  mismatch: /tokenizer does not match/,
  edited: /config.*does not match/,
};

function edit(name: string, file: string, change: (text: string) => string): void {
  const target = path.join(modelsDir, name, file);
  writeFileSync(target, change(readFileSync(target, 'utf8')));
}

beforeAll(async () => {
  modelsDir = tempDir('inkling-corrupt-');
  await makeTinyModel(modelsDir, 'good', { steps: 2, evalInterval: 2 });
  for (const name of Object.keys(BROKEN)) cpSync(path.join(modelsDir, 'good'), path.join(modelsDir, name), { recursive: true });
  const weights = path.join(modelsDir, 'truncated', 'weights.bin');
  truncateSync(weights, Math.floor(readFileSync(weights).length / 3));
  edit('badjson', 'manifest.json', (t) => t.slice(0, t.length / 2));
  edit('mismatch', 'tokenizer.json', (t) => {
    const json = JSON.parse(t);
    json.vocab = json.vocab.slice(0, -2);
    return JSON.stringify(json);
  });
  // A hand edit that asks for a far bigger model than the weights hold: refused, never built.
  edit('edited', 'manifest.json', (t) => {
    const json = JSON.parse(t);
    json.config.embedding = 4096;
    json.config.layers = 48;
    return JSON.stringify(json);
  });
});

describe('broken models are named and skipped', () => {
  it('inkling models: the good one in the table, each broken one by name with its reason', async () => {
    const ctx = cliContext(modelsDir);
    expect(await runArgv('models', [], ctx, 'cli')).toBe('ok');
    const text = ctx.out.text();
    expect(text).toMatch(/^good\s+gpt/m);
    for (const [name, reason] of Object.entries(BROKEN)) {
      const line = text.split('\n').find((l) => l.startsWith(`broken: ${name} `));
      expect(line, name).toBeDefined();
      expect(line).toMatch(reason);
    }
    expect(ctx.out.errors).toEqual([]);
  });

  it('/models in the chat says the same', async () => {
    const ctx = chatContext(undefined, modelsDir);
    await runCommandLine('/models', ctx);
    expect(ctx.out.errors).toEqual([]);
    for (const name of Object.keys(BROKEN)) expect(ctx.out.text()).toContain(`broken: ${name} `);
  });

  it('models --json marks them with an error', async () => {
    const ctx = cliContext(modelsDir);
    await runArgv('models', ['--json'], ctx, 'cli');
    const entries = JSON.parse(ctx.out.lines[0]!) as { name: string; error?: string }[];
    expect(entries.filter((e) => e.error).map((e) => e.name).sort()).toEqual(Object.keys(BROKEN).sort());
  });

  it.each(Object.entries(BROKEN))('loading %s fails with one line naming it; the good one still generates', async (name, reason) => {
    await expect(loadModel(path.join(modelsDir, name))).rejects.toThrow(new RegExp(`^model '${name}'[^\\n]*$`));
    const bad = cliContext(modelsDir);
    expect(await runArgv('generate', ['--model', name, '--prompt', 'the', '--max-tokens', '2'], bad, 'cli')).toBe('failed');
    expect(bad.out.errors).toHaveLength(1);
    expect(bad.out.errors[0]).toContain(name);
    const good = cliContext(modelsDir);
    expect(await runArgv('generate', ['--model', 'good', '--prompt', 'the', '--max-tokens', '3', '--seed', '1'], good, 'cli')).toBe('ok');
    expect(good.out.errors).toEqual([]);
    void reason;
  });
});

describe('a config edited in both manifest.json and model.json', () => {
  it('is refused before the model is built (no out-of-memory abort), for sampling and for --resume', async () => {
    cpSync(path.join(modelsDir, 'good'), path.join(modelsDir, 'bigger'), { recursive: true });
    for (const file of ['manifest.json', 'model.json']) {
      edit('bigger', file, (t) => {
        const json = JSON.parse(t);
        json.config.embedding = 4096;
        json.config.layers = 48;
        return JSON.stringify(json);
      });
    }
    const dir = path.join(modelsDir, 'bigger');
    await expect(loadModel(dir)).rejects.toThrow(/^model 'bigger': model.json does not match its checksum in manifest.json/);
    // A model saved before checksums existed: the parameter count still refuses it.
    edit('bigger', 'manifest.json', (t) => JSON.stringify({ ...JSON.parse(t), checksums: undefined }));
    await expect(loadModel(dir)).rejects.toThrow(/^model 'bigger': the config in manifest.json does not match its weights \(\d+ parameters wanted, \d+ saved\)$/);
    await expect(loadResumeState(dir)).rejects.toThrow(/does not match its weights/);
    edit('bigger', 'manifest.json', (t) => JSON.stringify({ ...JSON.parse(t), config: { ...JSON.parse(t).config, layers: -1 } }));
    await expect(loadModel(dir)).rejects.toThrow(/^model 'bigger': manifest.json config does not match model.json \(layers: -1 vs 48\)$/);
  });
});

describe('the chat starts even when the last used model is broken', () => {
  it.each(Object.keys(BROKEN))('last used %s: one line, then the shipped base model', async (name) => {
    const configDir = tempDir();
    new SettingsStore(configDir).lastModel = name;
    const session = new Chat({ modelsDir, configDir, deps: realEngine(modelsDir), backendLabel: 'wasm' });
    await session.start();
    const notes = session.getView().turns.map((t) => t.text);
    expect(notes[0]).toMatch(new RegExp(`^Could not open ${name}, the model you used last \\([^\\n]+\\): opened gutenberg-gpt, the shipped base model instead\\.$`));
    expect(notes).toHaveLength(1);
    expect(session.model?.name).toBe('gutenberg-gpt');
    await session.shutdown();
  });
});

describe('corrupted config and history files', () => {
  const backups = (dir: string, prefix: string) => readdirSync(dir).filter((f) => f.startsWith(prefix) && f !== prefix);

  it.each([
    ['not JSON', '{ "settings": { "temperature": 0.5'],
    ['binary', '\u0000\u0001\u0002garbage'],
    ['wrong shape', '[1, 2, 3]'],
  ])('config.json %s: backed up, reset, one warning', (_label, content) => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'config.json'), content);
    const store = new SettingsStore(dir);
    expect(store.settings.temperature).toBe(0.8);
    expect(store.warnings.length).toBeGreaterThanOrEqual(1);
    store.set('temperature', 0.3);
    expect(new SettingsStore(dir).settings.temperature).toBe(0.3);
  });

  it('history.json not JSON: backed up, reset, with a warning in the chat', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'history.json'), '["one", "two", tru');
    const history = InputHistory.inFolder(dir);
    expect(history.list()).toEqual([]);
    expect(backups(dir, 'history.json')).toHaveLength(1);
    history.add('three');
    expect(InputHistory.inFolder(dir).list()).toEqual(['three']);
    const session = new Chat({ modelsDir, configDir: dir, deps: realEngine(modelsDir), backendLabel: 'wasm' });
    expect(session.getView().turns).toEqual([]);
    writeFileSync(path.join(dir, 'history.json'), '{"not": "a list"}');
    const again = new Chat({ modelsDir, configDir: dir, deps: realEngine(modelsDir), backendLabel: 'wasm' });
    expect(again.getView().turns.map((t) => t.text)).toEqual([expect.stringMatching(/history file was unreadable.*history\.json\.corrupt-.*reset/i)]);
  });
});

describe('an unusable config folder', () => {
  it('costs persistence, not the chat: one warning, settings work for the session', () => {
    const file = path.join(tempDir(), 'a-file');
    writeFileSync(file, 'not a folder');
    const store = new SettingsStore(file);
    expect(store.warnings).toEqual([expect.stringMatching(/^Could not use the config folder .*a-file \(.*\): settings will not be kept/)]);
    store.set('temperature', 0.4);
    expect(store.settings.temperature).toBe(0.4);
    const chat = new Chat({ modelsDir, configDir: file, deps: realEngine(modelsDir), backendLabel: 'wasm' });
    expect(chat.getView().turns.map((t) => t.text)).toEqual([expect.stringMatching(/^Could not use the config folder/)]);
    chat.history.add('hello');
    expect(chat.history.list()).toEqual(['hello']);
  });
});
