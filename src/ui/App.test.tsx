import { describe, expect, it, vi } from 'vitest';
import { App } from './App.js';
import { FakeController, useMount } from '#test/support/controller.js';
import type { TrainingView } from './types.js';

const mount = useMount();
const setup = (controller = new FakeController()) => mount(<App controller={controller} />, controller);

const training: TrainingView = {
  name: 'tiny',
  kind: 'train',
  from: null,
  running: true,
  step: 3,
  totalSteps: 10,
  etaSeconds: 7,
  tokensPerSec: 100,
  trainLoss: 3,
  valLoss: null,
  losses: [
    { step: 1, train: 4 },
    { step: 2, train: 3.5 },
    { step: 3, train: 3 },
  ],
};

describe('App', () => {
  it('lays out transcript, live reply, input and status bar, and follows the session', async () => {
    const { controller, app } = await setup();
    expect(app.lastFrame()).toContain('alpha (gpt, 12.3k params)');
    expect(app.lastFrame()).toContain('Type a prompt, or /help');
    controller.addTurn({ kind: 'user', text: 'Once upon' });
    controller.set({ live: { label: 'alpha', text: ' a time' }, generating: true });
    await vi.waitFor(() => expect(app.lastFrame()).toMatch(/you › Once upon[\s\S]*alpha\s+ a time/));
    controller.set({ live: null, generating: false, lastTokensPerSec: 9 });
    controller.addTurn({ kind: 'reply', model: 'alpha', text: ' a time', tokensPerSec: 9, stopped: false });
    await vi.waitFor(() => expect(app.lastFrame()).toContain('alpha · 9.0 tok/s'));
    expect(app.lastFrame()).toContain('9.0 tok/s');
  });

  it('sends typed lines to the session', async () => {
    const { controller, type } = await setup();
    await type('/help');
    await type('\r');
    await type('a prompt');
    await type('\r');
    await vi.waitFor(() => expect(controller.submitted).toEqual(['/help', 'a prompt']));
  });

  it('shows prompts waiting for the model as queued, until they are sent', async () => {
    const { controller, app } = await setup();
    controller.set({ generating: true, queued: ['second prompt', 'third\nline'] });
    await vi.waitFor(() => expect(app.lastFrame()).toMatch(/queued › second prompt\n.*queued › third ⏎ line/));
    controller.set({ generating: false, queued: [] });
    await vi.waitFor(() => expect(app.lastFrame()).not.toContain('queued ›'));
  });

  it('keeps the live area shorter than the terminal: a long reply with a run, or with a long paste', async () => {
    const long = { label: 'alpha', text: Array.from({ length: 80 }, (_, i) => `line ${i}`).join('\n') };
    // ink-testing-library's terminal has no height: the app takes 24 rows.
    const { controller, app, type } = await setup();
    controller.set({ training, generating: true, live: long });
    await vi.waitFor(() => expect(app.lastFrame()).toMatch(/line 79[\s\S]*training tiny/));
    await vi.waitFor(() => expect(app.lastFrame()!.split('\n').length).toBeLessThan(24));
    controller.set({ training: null });
    await type(`\u001B[200~${'many words in a long paste '.repeat(60)}\u001B[201~`);
    await vi.waitFor(() => expect(app.lastFrame()).toContain('many words'));
    await vi.waitFor(() => expect(app.lastFrame()!.split('\n').length).toBeLessThan(24));
    expect(app.lastFrame()).toContain('line 79');
  });

  it('shows the training panel only while a run goes', async () => {
    const { controller, app } = await setup();
    controller.set({ training });
    await vi.waitFor(() => expect(app.lastFrame()).toContain('training tiny'));
    expect(app.lastFrame()).toContain('3/10');
    controller.set({ training: { ...training, running: false } });
    await vi.waitFor(() => expect(app.lastFrame()).not.toContain('training tiny'));
  });

  it('keeps echoing keys while training progress streams in', async () => {
    const { controller, app, type } = await setup();
    let step = 3;
    const timer = setInterval(() => controller.set({ training: { ...training, step: ++step } }), 5);
    try {
      await type('abc');
      await type('def');
      await vi.waitFor(() => expect(app.lastFrame()).toContain('abcdef'));
    } finally {
      clearInterval(timer);
    }
  });

  it('exits when the session quits (two Ctrl-C)', async () => {
    const { controller, app, type } = await setup();
    await type('\u0003');
    await type('\u0003');
    await vi.waitFor(() => expect(controller.quitCalls).toBe(1));
    // After exit Ink no longer reacts to input.
    await type('ignored');
    expect(app.lastFrame()).not.toContain('ignored');
  });

  it('starts a fresh transcript on /clear (new epoch)', async () => {
    const { controller, app } = await setup();
    controller.addTurn({ kind: 'info', text: 'old line' });
    await vi.waitFor(() => expect(app.lastFrame()).toContain('old line'));
    controller.set({ turns: [], epoch: 1 });
    controller.addTurn({ kind: 'info', text: 'new line' });
    await vi.waitFor(() => expect(app.lastFrame()).toContain('new line'));
  });
});
