import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTinyModel } from '#test/support/models.js';
import { useTempDir } from '#test/support/temp.js';
import { loadModel, type LoadedModel } from '../../engine/store/checkpoint.js';
import { readNextToken, Stepper } from '../../engine/stepper.js';
import type { NextTokenProbs, SampleOptions, TokenProbs } from '../../engine/types.js';
import type { ChatSettings } from '../../commands/types.js';
import { DEFAULT_SETTINGS } from '../settings-store.js';
import type { ProbeDeps } from '../engine-deps.js';
import type { NewTurn } from '../types.js';
import { DRAFT_DEBOUNCE_MS, Panels, type PanelKey } from './panel.js';

const realProbe: ProbeDeps = { readNext: readNextToken, startStepper: (l, p, o, t) => Stepper.start(l, p, o, t) };
let loaded: LoadedModel;
const tempDir = useTempDir();

beforeAll(async () => {
  const dir = tempDir();
  await makeTinyModel(dir, 'g', { arch: 'gpt', steps: 30, evalInterval: 30 });
  loaded = await loadModel(path.join(dir, 'g'));
});

function host(settings: Partial<ChatSettings> = {}, model: LoadedModel | null = loaded) {
  const h = {
    settings: { ...DEFAULT_SETTINGS, ...settings } as ChatSettings,
    pushed: [] as NewTurn[],
    changes: 0,
    loaded: () => model,
    turns: () => h.pushed.map((t, id) => ({ ...t, id }) as never),
    push: (turn: NewTurn) => void h.pushed.push(turn),
    changed: () => void h.changes++,
  };
  return { ...h, settings: () => h.settings, get current() { return h; } };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await wait(10);
  expect(check()).toBe(true);
}

/** A stepping session driven by keys, as the user would; returns the reply it leaves. */
async function stepWith(keys: PanelKey[], seed: number): Promise<NewTurn> {
  const h = host({ seed, temperature: 1.2, topK: 0, topP: 1 });
  const panels = new Panels(h, realProbe);
  panels.open({ kind: 'step', prompt: 'the ' });
  for (const key of keys) expect(panels.key(key)).toBe(true);
  panels.key('end');
  await panels.closed();
  expect(panels.view).toBeNull();
  return h.current.pushed.at(-1)!;
}

describe('/step', () => {
  it('a fixed seed and fixed choices write the same text every time; the text becomes a reply marked stepped', async () => {
    const keys: PanelKey[] = ['sample', 'down', 'accept', 'sample', 'sample', 'undo', 'down', 'down', 'accept', 'sample'];
    const a = await stepWith(keys, 5);
    const b = await stepWith(keys, 5);
    expect(a).toMatchObject({ kind: 'reply', stepped: true, model: loaded.name });
    expect(b).toEqual(a);
    const reply = a as Extract<NewTurn, { kind: 'reply' }>;
    expect(reply.tokens).toHaveLength(5);
    expect(reply.tokens!.map((t) => t.text).join('')).toBe(reply.text);
    // The second token was the second candidate, chosen with Down then Enter.
    expect(reply.tokens![1]!.chosen.id).toBe(reply.tokens![1]!.candidates[1]!.id);
  });

  it('leaves the user prompt and nothing else when no token was accepted', async () => {
    const h = host();
    const panels = new Panels(h, realProbe);
    panels.open({ kind: 'step', prompt: 'the ' });
    panels.key('end');
    await panels.closed();
    expect(h.current.pushed).toEqual([]);
  });
});

describe('/next', () => {
  it('reads the draft once typing pauses, and reshapes on a settings change without reading again', async () => {
    const reads: string[] = [];
    const probe: ProbeDeps = {
      readNext: async (l, prompt, top) => {
        reads.push(prompt);
        const next = await readNextToken(l, prompt, top);
        return { view: (o: SampleOptions) => next.view(o) };
      },
      startStepper: realProbe.startStepper,
    };
    const h = host({ temperature: 0.2, topK: 0, topP: 1 });
    const panels = new Panels(h, probe);
    panels.open({ kind: 'next' });
    await until(() => panels.view?.kind === 'next' && !panels.view.busy);
    for (const draft of ['t', 'th', 'the', 'the c', 'the ca']) panels.draftChanged(draft);
    await wait(DRAFT_DEBOUNCE_MS * 3);
    await until(() => panels.view?.kind === 'next' && panels.view.prompt === 'the ca' && !panels.view.busy);
    expect(reads).toEqual(['', 'the ca']);
    const sharp = (panels.view as { probs: NextTokenProbs }).probs;
    h.current.settings = { ...h.current.settings, temperature: 1.5 };
    panels.settingsChanged();
    const flat = (panels.view as { probs: NextTokenProbs }).probs;
    expect(reads).toHaveLength(2);
    expect(flat.candidates.map((c) => c.logprob)).toEqual(sharp.candidates.map((c) => c.logprob));
    expect(flat.sampledEntropy).toBeGreaterThan(sharp.sampledEntropy);
    expect(flat.candidates[0]!.sampled).toBeLessThan(sharp.candidates[0]!.sampled);
    // A cleared box (to type a command) and a command keep the distribution.
    panels.draftChanged('');
    panels.draftChanged('/temp 1.5');
    await wait(DRAFT_DEBOUNCE_MS * 3);
    expect(reads).toHaveLength(2);
    panels.close();
  });

  it('needs a model', () => {
    expect(() => new Panels(host({}, null), realProbe).open({ kind: 'next' })).toThrow('No model loaded');
  });
});

describe('/inspect', () => {
  const token = (text: string): TokenProbs => ({
    text, chosen: { id: 1, label: text, logprob: -1, sampled: 0.5 }, candidates: [], entropy: 1, sampledEntropy: 1, kept: 2,
  });

  it('walks the last reply with probabilities, and says how to get one when there is none', () => {
    const h = host();
    const panels = new Panels(h, realProbe);
    expect(() => panels.open({ kind: 'inspect' })).toThrow('/probs on');
    h.current.pushed.push({ kind: 'reply', model: 'g', text: 'ab', tokensPerSec: 1, stopped: false, tokens: [token('a'), token('b')] });
    panels.open({ kind: 'inspect' });
    expect(panels.view).toMatchObject({ kind: 'inspect', cursor: 1 });
    panels.key('left');
    panels.key('left');
    expect(panels.view).toMatchObject({ cursor: 0 });
    panels.key('right');
    expect(panels.view).toMatchObject({ cursor: 1 });
    expect(panels.key('accept')).toBe(false);
    panels.key('end');
    expect(panels.view).toBeNull();
  });
});
