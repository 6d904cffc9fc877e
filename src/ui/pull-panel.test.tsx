// /pull in the chat runs in the background: a panel shows its progress while prompts still get replies, the
// transcript gets one line at the end, and /stop leaves a partial download that the next /pull resumes.
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { render } from 'ink-testing-library';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { App } from './App.js';
import { Chat } from './session.js';
import { runCommandLine } from '../commands/dispatch.js';
import { settle } from '#test/support/controller.js';
import { startFakeHub, type FakeHub } from '#test/support/fake-hub.js';
import { fakeEngine } from '#test/support/ui.js';

const TINY = path.resolve('test/fixtures/hf/tiny-gpt2');
/** Bytes of model.safetensors sent before the fake hub holds the rest. */
const HELD_AT = 60_000;
const saved = process.env.HF_ENDPOINT;
let hub: FakeHub | null = null;
let cleanup: (() => void) | null = null;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterEach(async () => {
  cleanup?.();
  await hub?.close();
  hub = null;
  if (saved === undefined) delete process.env.HF_ENDPOINT;
  else process.env.HF_ENDPOINT = saved;
});

async function chatOnHeldHub() {
  hub = await startFakeHub('me/tiny-gpt2', TINY, { hold: { file: 'model.safetensors', after: HELD_AT } });
  process.env.HF_ENDPOINT = hub.url;
  const engine = fakeEngine({ models: ['alpha'] });
  engine.deps.runCommandLine = runCommandLine;
  const modelsDir = mkdtempSync(path.join(tmpdir(), 'inkling-pullpanel-'));
  const chat = new Chat({ modelsDir, configDir: mkdtempSync(path.join(tmpdir(), 'inkling-pullpanel-cfg-')), deps: engine.deps, backendLabel: 'cpu', frameMs: 0 });
  await chat.use('alpha');
  const app = render(<App controller={chat} />);
  cleanup = app.unmount;
  await settle();
  const type = async (text: string) => {
    app.stdin.write(text);
    await settle();
    app.stdin.write('\r');
    await settle();
  };
  return { engine, chat, app, type, modelsDir, hub };
}

describe('/pull in the chat', () => {
  it('shows a progress panel while prompts still get replies, then one line and the model is listed', async () => {
    const { engine, app, type, hub } = await chatOnHeldHub();
    await type('/pull me/tiny-gpt2 --name tiny');
    await hub.held;
    await vi.waitFor(() => expect(app.lastFrame()).toMatch(/pulling me\/tiny-gpt2 as tiny[^\n]*\n[^\n]*█+░+ \d+% 0\.\d \/ 0\.2 MB[^\n]*\n[^\n]*model\.safetensors/));
    await type('Once upon');
    await vi.waitFor(() => expect(app.lastFrame()).toMatch(/you › Once upon\nalpha[^\n]*\n hello there/));
    expect(engine.generateCalls).toHaveLength(1);
    expect(app.lastFrame()).toContain('pulling me/tiny-gpt2 as tiny');
    hub.release();
    await vi.waitFor(() => expect(app.lastFrame()).toMatch(/pulled me\/tiny-gpt2 as tiny \(GPT-2, [^)]*\): \/use tiny to chat with it/), { timeout: 20_000 });
    expect(app.lastFrame()).not.toContain('pulling me/tiny-gpt2 as tiny');
    await type('/models');
    await vi.waitFor(() => expect(app.lastFrame()).toMatch(/\/models[\s\S]*\btiny\b/));
  });

  it('/stop cancels it in one line; the partial download stays and the next /pull resumes it', async () => {
    const { app, type, modelsDir, hub } = await chatOnHeldHub();
    await type('/pull me/tiny-gpt2 --name tiny');
    await hub.held;
    await vi.waitFor(() => expect(app.lastFrame()).toContain('pulling me/tiny-gpt2 as tiny'));
    await type('/stop');
    await vi.waitFor(() => expect(app.lastFrame()).toContain('stopped pulling me/tiny-gpt2: /pull me/tiny-gpt2 again resumes where it stopped'));
    expect(app.lastFrame()).not.toContain('pulling me/tiny-gpt2 as tiny');
    expect(app.lastFrame()).not.toMatch(/\n\s+at |Error:/);
    expect(existsSync(path.join(modelsDir, 'tiny'))).toBe(false);
    expect(statSync(path.join(modelsDir, '.tiny.pull.partial', 'model.safetensors.part')).size).toBe(HELD_AT);
    await type('/pull me/tiny-gpt2 --name tiny');
    await vi.waitFor(() => expect(app.lastFrame()).toContain('/use tiny to chat with it'), { timeout: 20_000 });
    expect(hub.requests.filter((r) => r.url.endsWith('/model.safetensors')).map((r) => r.range)).toEqual([undefined, `bytes=${HELD_AT}-`]);
    expect(existsSync(path.join(modelsDir, '.tiny.pull.partial'))).toBe(false);
  });

  it('/import runs in the background too: one line naming /use, and a clash is one error line', async () => {
    const { chat, type } = await chatOnHeldHub();
    const last = () => chat.getView().turns.at(-1)!;
    await type(`/import ${TINY} --name imp`);
    await vi.waitFor(() => expect(last().text).toMatch(/^imported imp \(GPT-2, [^)]*\): \/use imp to chat with it$/), { timeout: 20_000 });
    expect(chat.getView().download).toBeNull();
    await type(`/import ${TINY} --name imp`);
    await vi.waitFor(() => expect(last()).toEqual(expect.objectContaining({ kind: 'error', text: `cannot import ${TINY}: model imp already exists: pick another --name` })));
  });
});
