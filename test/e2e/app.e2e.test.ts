// The real app in a pseudo-terminal (tmux): /help, a prompt, /set, /use of another model, /quit.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTinyModel, tempDir } from '../helpers/models.js';
import { hasTmux, TmuxScreen } from './tmux.js';

const EXITED = 'INKLING-E2E-EXITED';

describe.skipIf(!hasTmux())('the chat app in a terminal (needs tmux)', () => {
  let modelsDir: string;
  let configDir: string;
  let screen: TmuxScreen | null = null;

  beforeAll(async () => {
    modelsDir = tempDir('inkling-e2e-models-');
    configDir = tempDir('inkling-e2e-config-');
    await makeTinyModel(modelsDir, 'tiny-gpt', { arch: 'gpt' });
    await makeTinyModel(modelsDir, 'tiny-lstm', { arch: 'lstm' });
  }, 120_000);

  afterAll(() => {
    screen?.close();
    for (const dir of [modelsDir, configDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('chats, changes a setting, switches model and quits', async () => {
    const repo = path.resolve(import.meta.dirname, '../..');
    // wasm: no GPU probe at start, so the screen only shows the app.
    const env = `INKLING_CONFIG_DIR='${configDir}' INKLING_BACKEND=wasm`;
    screen = new TmuxScreen(`${env} npx tsx src/cli.ts --models-dir '${modelsDir}'; echo ${EXITED}; sleep 60`, { cwd: repo });

    await screen.waitFor(/Type a prompt, or \/help[\s\S]*tiny-gpt \(gpt/, 90_000);

    await screen.enter('/help');
    await screen.waitFor(/\/use\s+switch to another model/);

    await screen.enter('the cat');
    await screen.waitFor(/you › the cat[\s\S]*tiny-gpt · \d+\.\d tok\/s/);

    await screen.enter('/set temperature 0.5');
    await screen.waitFor(/temperature = 0\.5[\s\S]*temp 0\.5 ·/);

    await screen.enter('/use tiny-lstm');
    await screen.waitFor(/now using tiny-lstm[\s\S]*tiny-lstm \(lstm, [\d.]+k? params\) │/);

    await screen.enter('/quit');
    const last = await screen.waitFor(new RegExp(EXITED));
    expect(last).not.toMatch(/Error|at .*\.ts:\d+/);

    // What the app keeps for next time: the settings, the last model, the input history.
    const config = JSON.parse(readFileSync(path.join(configDir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ lastModel: 'tiny-lstm', settings: { temperature: 0.5 } });
    expect(existsSync(path.join(configDir, 'history.json'))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(configDir, 'history.json'), 'utf8'))).toEqual([
      '/help',
      'the cat',
      '/set temperature 0.5',
      '/use tiny-lstm',
      '/quit',
    ]);
  }, 240_000);
});
