// The real app in a pseudo-terminal (tmux): /help, a prompt, /set, /use of another model, /quit;
// and a background training run while the chat goes on.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTinyModel, writeCorpus } from '../support/models.js';
import { useTempDir } from '../support/temp.js';
import { EXITED, hasTmux, useAppScreen } from './tmux.js';

const tempDir = useTempDir();


describe.skipIf(!hasTmux())('the chat app in a terminal (needs tmux)', () => {
  let modelsDir: string;
  let configDir: string;
  const openApp = useAppScreen();
  const startApp = () => openApp({ modelsDir, configDir });

  beforeAll(async () => {
    modelsDir = tempDir('inkling-e2e-models-');
    configDir = tempDir('inkling-e2e-config-');
    await makeTinyModel(modelsDir, 'tiny-gpt', { arch: 'gpt' });
    await makeTinyModel(modelsDir, 'tiny-lstm', { arch: 'lstm' });
  }, 120_000);

  it('chats, changes a setting, switches model and quits', async () => {
    const app = startApp();
    // A first start opens the shipped base model (the box's placeholder shows before it has).
    await app.waitFor(/• Loaded .*Type a prompt, or \/help/, 90_000);
    await app.enter('/use tiny-gpt');
    await app.waitFor(/now using tiny-gpt[\s\S]*tiny-gpt \(gpt/);

    await app.enter('/help');
    await app.waitFor(/\/use\s+switch to another model/);

    await app.enter('the cat');
    await app.waitFor(/you › the cat[\s\S]*tiny-gpt · \d+\.\d tok\/s/);

    await app.enter('/set temperature 0.5');
    await app.waitFor(/temperature = 0\.5[\s\S]*temp 0\.5 /);

    await app.enter('/use tiny-lstm');
    await app.waitFor(/now using tiny-lstm[\s\S]*tiny-lstm \(lstm, [\d.]+k? params\) │/);

    await app.enter('/quit');
    const last = await app.waitFor(new RegExp(EXITED));
    expect(last).not.toMatch(/Error|at .*\.ts:\d+/);

    // What the app keeps for next time: the settings, the last model, the input history.
    const config = JSON.parse(readFileSync(path.join(configDir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ lastModel: 'tiny-lstm', settings: { temperature: 0.5 } });
    expect(JSON.parse(readFileSync(path.join(configDir, 'history.json'), 'utf8'))).toEqual([
      '/use tiny-gpt',
      '/help',
      'the cat',
      '/set temperature 0.5',
      '/use tiny-lstm',
      '/quit',
    ]);
  }, 240_000);

  it('trains in the background while the chat goes on, then uses the new model', async () => {
    const corpus = writeCorpus(configDir);
    const app = startApp();
    // The first test left tiny-lstm as the last model.
    await app.waitFor(/Type a prompt, or \/help[\s\S]*tiny-lstm \(lstm/, 90_000);

    await app.enter(`/train --corpus ${corpus} --preset tiny --steps 40 --name bg-run`);
    await app.waitFor(/training bg-run .*\d+\/40/, 90_000);

    // The chat answers while the run goes on.
    await app.enter('the dog');
    await app.waitFor(/you › the dog[\s\S]*tiny-lstm · \d+\.\d tok\/s/);

    await app.waitFor(/Training bg-run finished at step 40/, 120_000);
    await app.enter('/use bg-run');
    await app.waitFor(/now using bg-run[\s\S]*bg-run \(gpt, /);
    await app.enter('a cat');
    await app.waitFor(/you › a cat[\s\S]*bg-run · \d+\.\d tok\/s/);

    await app.enter('/quit');
    await app.waitFor(new RegExp(EXITED));
  }, 300_000);
});
