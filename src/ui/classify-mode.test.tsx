// Classification mode: with a classifier in use, an input gets labelled probability bars from the
// classifier (never a generated continuation), and the status bar says which mode the pane is in.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from './App.js';
import { Chat } from './session.js';
import { settle } from '#test/support/controller.js';
import { fakeEngine, fakeLoaded } from '#test/support/ui.js';

let cleanup: (() => void) | null = null;
afterEach(() => cleanup?.());

function classifierEngine() {
  const engine = fakeEngine({ models: ['alpha', 'authors'] });
  const load = engine.deps.loadModel;
  const classified: string[] = [];
  engine.deps.loadModel = async (name) => {
    if (name !== 'authors') return load(name);
    const loaded = fakeLoaded(name);
    loaded.manifest = { ...loaded.manifest, task: 'classify', classify: { labels: ['austen', 'melville'], pool: 'mean', maxTokens: 512, unfreeze: 0, headEpochs: 3, unfreezeEpochs: 0, stage: 'done', data: 'd' } };
    return loaded;
  };
  engine.deps.classify = async (loaded, text) => {
    classified.push(`${loaded.name}:${text}`);
    return ['melville', '  melville  ██████████████░░░░░░  0.70', '  austen    ██████░░░░░░░░░░░░░░  0.30'];
  };
  return { engine, classified };
}

describe('classification mode in the chat', () => {
  it('labels each input with probability bars and shows the mode in the status bar', async () => {
    const { engine, classified } = classifierEngine();
    const chat = new Chat({ modelsDir: '/models', configDir: mkdtempSync(path.join(tmpdir(), 'inkling-cls-')), deps: engine.deps, backendLabel: 'cpu', frameMs: 0 });
    await chat.use('authors');
    const app = render(<App controller={chat} />);
    cleanup = app.unmount;
    await settle();
    expect(app.lastFrame()).toContain('classify mode');
    app.stdin.write('Call me Ishmael.');
    await settle();
    app.stdin.write('\r');
    await vi.waitFor(() => expect(app.lastFrame()).toMatch(/Call me Ishmael\.[\s\S]*authors:[\s\S]*melville  █+░+  0\.70/));
    expect(classified).toEqual(['authors:Call me Ishmael.']);
    expect(engine.generateCalls).toEqual([]);
  });

  it('goes back to replies after /use of a language model', async () => {
    const { engine, classified } = classifierEngine();
    const chat = new Chat({ modelsDir: '/models', configDir: mkdtempSync(path.join(tmpdir(), 'inkling-cls-')), deps: engine.deps, backendLabel: 'cpu', frameMs: 0 });
    await chat.use('authors');
    await chat.use('alpha');
    expect(chat.getView().model?.task).toBeUndefined();
    await chat.submit('Once upon');
    await vi.waitFor(() => expect(engine.generateCalls).toHaveLength(1));
    expect(classified).toEqual([]);
  });
});
