import { describe, expect, it } from 'vitest';
import { Chat } from '../session.js';
import { fakeEngine } from '#test/support/ui.js';
import { useTempDir } from '#test/support/temp.js';
import type { ProbsRequest, TokenProbs } from '../../engine/types.js';
import type { KeyEvent } from '../keys.js';
import type { PanelKey, PanelView } from './panel.js';
import { routePanelKey } from './panel-keys.js';

const tempDir = useTempDir();

describe('/probs in the chat', () => {
  it('asks generate for probabilities only when on, keeps them on the reply, and persists the setting', async () => {
    const engine = fakeEngine({ reply: [' hi'] });
    const requests: Array<ProbsRequest | undefined> = [];
    const plain = engine.deps.generate;
    engine.deps.generate = async (loaded, prompt, options, onText, signal, probs) => {
      requests.push(probs);
      const result = await plain(loaded, prompt, options, onText, signal);
      const token: TokenProbs = { text: ' hi', chosen: { id: 1, label: 'hi', logprob: -1, sampled: 0.4 }, candidates: [], entropy: 1, sampledEntropy: 1, kept: 3 };
      return probs ? { ...result, tokenProbs: [token] } : result;
    };
    const configDir = tempDir('inkling-probs-');
    const chat = new Chat({ modelsDir: '/models', configDir, deps: engine.deps, backendLabel: 'cpu', frameMs: 0 });
    await chat.use('alpha');
    await chat.submit('one');
    chat.setSetting('probs', true);
    await chat.submit('two');
    expect(requests).toEqual([undefined, { top: 5 }]);
    const replies = chat.getView().turns.filter((t) => t.kind === 'reply');
    expect(replies[0]).not.toHaveProperty('tokens');
    expect(replies[1]).toMatchObject({ tokens: [{ text: ' hi' }] });
    expect(chat.transcriptMarkdown()).toContain('| 1 | `hi` | 40.0% |');
    const again = new Chat({ modelsDir: '/models', configDir, deps: engine.deps, backendLabel: 'cpu', frameMs: 0 });
    expect(again.settings.probs).toBe(true);
    chat.showPanel({ kind: 'inspect' });
    expect(chat.getView().panel).toMatchObject({ kind: 'inspect', cursor: 0 });
  });
});

describe('keys while a panel is open', () => {
  const step: PanelView = { kind: 'step', prompt: '', tokens: [], probs: null, settings: { maxTokens: 1, temperature: 1, topK: 0, topP: 1 }, highlighted: 0, busy: false, error: null };
  const recorder = () => {
    const got: string[] = [];
    return { got, target: { key: (k: PanelKey) => (got.push(k), true), close: () => void got.push('close') } };
  };
  const key = (name: string): KeyEvent => ({ type: 'key', name }) as KeyEvent;

  it('go to /step: arrows, Enter, Space (each one), Backspace, Esc; other typing is held off', () => {
    const { got, target } = recorder();
    for (const k of [key('up'), key('down'), key('return'), { type: 'text', text: '  ' } as KeyEvent, key('backspace'), key('escape')]) {
      expect(routePanelKey(target, step, k, false)).toBe(true);
    }
    expect(got).toEqual(['up', 'down', 'accept', 'sample', 'sample', 'undo', 'end']);
    expect(routePanelKey(target, step, { type: 'text', text: 'x' }, false)).toBe(true);
    expect(routePanelKey(target, step, { type: 'ctrl', letter: 'c' }, false)).toBe(false);
  });

  it('leave typing to the input box under /next, where Esc closes the panel unless a reply is running', () => {
    const { got, target } = recorder();
    const next: PanelView = { kind: 'next', prompt: '', probs: null, settings: step.settings, busy: false, error: null };
    expect(routePanelKey(target, next, { type: 'text', text: ' ' }, false)).toBe(false);
    expect(routePanelKey(target, next, key('escape'), true)).toBe(false);
    expect(routePanelKey(target, next, key('escape'), false)).toBe(true);
    expect(got).toEqual(['close']);
    expect(routePanelKey(target, null, key('escape'), false)).toBe(false);
  });
});
