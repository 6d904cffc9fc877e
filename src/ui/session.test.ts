import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CommandError } from '../commands/types.js';
import { InputHistory } from './history.js';
import { Chat, type SessionOptions } from './session.js';
import { fakeEngine, type FakeEngine } from '#test/support/ui.js';
import type { Turn } from './types.js';
import { useTempDir } from '#test/support/temp.js';

const tempDir = useTempDir();

let dir: string;
beforeEach(() => {
  dir = tempDir('inkling-session-');
});

function session(engine: FakeEngine, extra: Partial<SessionOptions> = {}): Chat {
  return new Chat({ modelsDir: '/models', configDir: dir, deps: engine.deps, backendLabel: 'cpu', frameMs: 0, ...extra });
}

const texts = (s: Chat, kind?: Turn['kind']) =>
  s.getView().turns.filter((t) => !kind || t.kind === kind).map((t) => t.text);

describe('settings', () => {
  it('persist across sessions in the config folder', () => {
    const engine = fakeEngine();
    const a = session(engine);
    a.setSetting('temperature', 0.5);
    a.setSetting('seed', 7);
    a.setSetting('context', true);
    const b = session(engine);
    expect(b.settings).toMatchObject({ temperature: 0.5, seed: 7, context: true });
  });

  it('refuses a bad value with a CommandError and keeps the old one', () => {
    const s = session(fakeEngine());
    const before = s.settings.topP;
    expect(() => s.setSetting('topP', 3)).toThrow(CommandError);
    expect(s.settings.topP).toBe(before);
  });

  it('backs up a corrupted config file and resets with a warning', () => {
    writeFileSync(path.join(dir, 'config.json'), '{ this is not json');
    const s = session(fakeEngine());
    expect(s.settings.temperature).toBe(0.8);
    expect(texts(s, 'info').join('\n')).toMatch(/unreadable.*reset/);
    expect(readdirSync(dir).some((f) => f.startsWith('config.json.corrupt-'))).toBe(true);
    s.setSetting('temperature', 0.3);
    expect(session(fakeEngine()).settings.temperature).toBe(0.3);
  });

  it('resets saved values of the wrong type', () => {
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ settings: { temperature: 'hot', topK: 5 } }));
    const s = session(fakeEngine());
    expect(s.settings).toMatchObject({ temperature: 0.8, topK: 5 });
    expect(texts(s, 'info').join('\n')).toMatch(/temperature/);
  });
});

describe('input history', () => {
  it('is capped, persisted, and kept out of the conversation', async () => {
    const engine = fakeEngine();
    const s = session(engine, { historyLimit: 3 });
    await s.start();
    for (const line of ['one', 'two', '/help', 'four']) await s.submit(line);
    expect(new InputHistory(path.join(dir, 'history.json')).list()).toEqual(['two', '/help', 'four']);
    s.clearTranscript();
    expect(s.getView().turns).toEqual([]);
    expect(session(engine).history.up('')).toBe('four');
    // Replies never carry history into the prompt.
    expect(engine.generateCalls.map((c) => c.prompt)).toEqual(['one', 'two', 'four']);
  });
});

describe('models and generation', () => {
  it('opens the first listed model, streams a reply and credits the model', async () => {
    const engine = fakeEngine({ reply: [' a', ' b'], tokensPerSec: 12.5 });
    const s = session(engine);
    await s.start();
    expect(s.model?.name).toBe('alpha');
    const seen: string[] = [];
    s.subscribe(() => s.getView().live && seen.push(s.getView().live!.text));
    await s.submit('Hi');
    expect(seen).toContain(' a');
    const reply = s.getView().turns.find((t) => t.kind === 'reply');
    expect(reply).toMatchObject({ model: 'alpha', text: ' a b', tokensPerSec: 12.5, stopped: false });
    expect(s.getView().lastTokensPerSec).toBe(12.5);
    expect(s.getView().live).toBeNull();
  });

  it('reopens the last used model and disposes the one it replaces', async () => {
    const engine = fakeEngine();
    const a = session(engine);
    await a.start();
    await a.use('beta');
    expect(engine.loads[0]!.disposed).toBe(true);
    const b = session(engine);
    await b.start();
    expect(b.model?.name).toBe('beta');
  });

  it('turns a failed /use into a CommandError and keeps the current model', async () => {
    const s = session(fakeEngine());
    await s.start();
    await expect(s.use('nope')).rejects.toThrow(CommandError);
    expect(s.model?.name).toBe('alpha');
  });

  it('queues a prompt sent while the first model opens, and sends it once it is open', async () => {
    const engine = fakeEngine();
    const load = engine.deps.loadModel;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    engine.deps.loadModel = async (name) => (await gate, load(name));
    const s = session(engine);
    const started = s.start();
    await s.submit('too early');
    expect(s.getView().queued).toEqual(['too early']);
    expect(texts(s, 'error')).toEqual([]);
    release();
    await started;
    await vi.waitFor(() => expect(engine.generateCalls.map((c) => c.prompt)).toEqual(['too early']));
    await vi.waitFor(() => expect(s.getView().queued).toEqual([]));
  });

  it('keeps the model a /use chose while the first model was still opening (either finishing first)', async () => {
    for (const slowFirst of [true, false]) {
      const engine = fakeEngine(), load = engine.deps.loadModel, gates = new Map<string, () => void>();
      engine.deps.loadModel = async (name) => (await new Promise<void>((resolve) => gates.set(name, resolve)), load(name));
      // A config folder of its own: no last model from the first round.
      const s = session(engine, { configDir: tempDir('inkling-session-') }), started = s.start();
      await vi.waitFor(() => expect(gates.has('alpha')).toBe(true));
      const used = s.use('beta');
      await vi.waitFor(() => expect(gates.has('beta')).toBe(true));
      for (const name of slowFirst ? ['beta', 'alpha'] : ['alpha', 'beta']) gates.get(name)!();
      await Promise.all([started, used]);
      expect(s.model?.name).toBe('beta');
      expect(engine.loads.find((l) => l.name === 'alpha')!.disposed).toBe(true);
      expect(texts(s, 'info').filter((t) => t.includes('alpha'))).toEqual([]);
    }
  });

  it('queues prompts sent while a reply streams, in order, and sends each when the last reply ends', async () => {
    const engine = fakeEngine({ reply: [' a', ' b', ' c'], pieceDelayMs: 20 });
    const s = session(engine);
    await s.start();
    void s.submit('first');
    await s.submit('second');
    await s.submit('/set temp 1');
    await s.submit('third');
    expect(s.getView().queued).toEqual(['second', 'third']);
    await vi.waitFor(() => expect(texts(s, 'reply')).toHaveLength(3), { timeout: 5000 });
    expect(engine.generateCalls.map((c) => c.prompt)).toEqual(['first', 'second', 'third']);
    expect(texts(s, 'user')).toEqual(['first', 'second', 'third']);
    expect(texts(s, 'error')).toEqual([]);
  });

  it('sends a queued prompt to the model a /use switches to, after the reply it stopped', async () => {
    const engine = fakeEngine({ reply: [' a', ' b', ' c', ' d'], pieceDelayMs: 20 });
    const s = session(engine);
    await s.start();
    void s.submit('first');
    await s.submit('second');
    await s.use('beta');
    await vi.waitFor(() => expect(engine.generateCalls).toHaveLength(2));
    expect(engine.generateCalls.map((c) => c.model)).toEqual(['alpha', 'beta']);
  });

  it('says so when there is no model instead of crashing', async () => {
    const s = session(fakeEngine({ models: [] }));
    await s.submit('hello');
    expect(texts(s, 'error').join()).toMatch(/No model loaded/);
  });

  it('stops a generation on interrupt and keeps the partial reply', async () => {
    const engine = fakeEngine({ reply: [' a', ' b', ' c', ' d'], pieceDelayMs: 20 });
    const s = session(engine);
    await s.start();
    const done = s.submit('go');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(s.getView().generating).toBe(true);
    expect(s.interrupt()).toBe(true);
    await done;
    const reply = s.getView().turns.find((t) => t.kind === 'reply');
    expect(reply).toMatchObject({ stopped: true });
    expect(reply!.text.length).toBeLessThan(' a b c d'.length);
    expect(s.interrupt()).toBe(false);
  });

  it('prepends earlier turns within the window when context is on', async () => {
    const engine = fakeEngine({ reply: ['!'] });
    const s = session(engine);
    await s.start();
    await s.submit('first');
    s.setSetting('context', true);
    await s.submit('second');
    expect(engine.generateCalls[1]!.prompt).toBe('first!\nsecond');
    expect(engine.generateCalls[1]!.options).toMatchObject({ temperature: 0.8, maxTokens: 200 });
  });
});

describe('slash commands', () => {
  it('run through the dispatcher with the session as chat, output in the transcript', async () => {
    const engine = fakeEngine();
    engine.deps.runCommandLine = async (line, ctx) => {
      expect(ctx.chat).toBe(s);
      ctx.out.write('stream');
      ctx.out.write('ed');
      ctx.out.line('done');
      if (line.includes('bad')) throw new CommandError('bad value: /help set');
    };
    const s = session(engine);
    await s.submit('/set temp 1');
    await s.submit('/set bad');
    expect(texts(s)).toEqual(['/set temp 1', 'streamed', 'done', '/set bad', 'streamed', 'done', 'bad value: /help set']);
  });

  it('complete through the dispatcher', async () => {
    expect(await session(fakeEngine()).complete('/he')).toEqual(['/help']);
  });
});

describe('training', () => {
  it('refuses a second run while one goes, and allows one after it ends', async () => {
    const engine = fakeEngine();
    const s = session(engine);
    const request = { kind: 'train', name: 'tiny', modelsDir: '/models', corpus: 'x', arch: 'gpt', tokenizer: 'char' } as const;
    s.startTraining(request);
    expect(() => s.startTraining({ ...request, name: 'other' })).toThrow(/one run at a time/);
    expect(engine.trainings).toHaveLength(1);
    engine.trainings[0]!.finish();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(s.training?.running).toBe(false);
    expect(texts(s, 'info').join()).toMatch(/tiny finished at step 100/);
    s.startTraining({ ...request, name: 'other' });
    expect(engine.trainings).toHaveLength(2);
  });

  it('keeps the latest figures and the loss history for the panel', () => {
    const engine = fakeEngine();
    const s = session(engine);
    s.startTraining({ kind: 'train', name: 'tiny', modelsDir: '/m', corpus: 'x', arch: 'lstm', tokenizer: 'char' });
    const t = engine.trainings[0]!;
    t.emit({ type: 'progress', step: 1, totalSteps: 10, trainLoss: 4, tokensPerSec: 100, elapsedSeconds: 1, etaSeconds: 9, learningRate: 1e-3 });
    t.emit({ type: 'progress', step: 2, totalSteps: 10, trainLoss: 3.5, tokensPerSec: 110, elapsedSeconds: 2, etaSeconds: 8, learningRate: 1e-3 });
    t.emit({ type: 'eval', step: 2, trainLoss: 3.5, valLoss: 3.7, best: true });
    const view = s.getView().training!;
    expect(view).toMatchObject({ name: 'tiny', running: true, step: 2, totalSteps: 10, etaSeconds: 8, tokensPerSec: 110, trainLoss: 3.5, valLoss: 3.7 });
    expect(view.losses).toEqual([{ step: 1, train: 4 }, { step: 2, train: 3.5, val: 3.7 }]);
    expect(s.stopTraining()).toBe(true);
    expect(t.stopped).toBe(true);
  });

  it('starts a first model when none exists and chats once its first checkpoint lands', async () => {
    const engine = fakeEngine({ models: [] });
    const s = session(engine, { firstRunTraining: (modelsDir) => ({ kind: 'train', name: 'first', modelsDir, corpus: 'c', arch: 'gpt', tokenizer: 'char' }) });
    await s.start();
    expect(engine.trainings[0]!.request.name).toBe('first');
    expect(texts(s, 'info').join()).toMatch(/training first in the background/);
    engine.deps.listModels = async () => ['first'];
    const models = ['first'];
    const load = engine.deps.loadModel;
    engine.deps.loadModel = async (name) => (models.includes(name) ? { ...(await fakeEngine({ models }).deps.loadModel(name)) } : load(name));
    engine.trainings[0]!.emit({ type: 'checkpoint', step: 50, path: '/m/first' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(s.model?.name).toBe('first');
  });

  it('reports a failed run as one error line', async () => {
    const engine = fakeEngine();
    const s = session(engine);
    s.startTraining({ kind: 'train', name: 'tiny', modelsDir: '/m', corpus: 'x', arch: 'gpt', tokenizer: 'char' });
    engine.trainings[0]!.fail('corpus not found: x\n    at stack');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(texts(s, 'error')).toEqual(['Training tiny failed: corpus not found: x']);
  });
});

describe('transcript', () => {
  it('exports Markdown naming the model of each reply', async () => {
    const s = session(fakeEngine({ reply: [' world'] }));
    await s.start();
    await s.submit('hello');
    const md = s.transcriptMarkdown();
    expect(md).toMatch(/\*\*You:\*\*/);
    expect(md).toMatch(/\*\*alpha\*\* \(42\.0 tokens\/s\)/);
    expect(md).toContain(' world');
  });

  it('clear keeps the input history and bumps the epoch', async () => {
    const s = session(fakeEngine());
    await s.submit('/help');
    const epoch = s.getView().epoch;
    s.clearTranscript();
    expect(s.getView().epoch).toBe(epoch + 1);
    expect(s.history.up('')).toBe('/help');
    expect(existsSync(path.join(dir, 'history.json'))).toBe(true);
  });
});
