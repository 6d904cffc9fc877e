// The real app in a pseudo-terminal (tmux): /use of a classifier turns the pane into classification
// mode, an input gets probability bars, and /use of a language model turns it back.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTinyModel, useTestBackend } from '../support/models.js';
import { useTempDir } from '../support/temp.js';
import { runTraining } from '../../src/engine/training/train.js';
import type { FinetuneRequest } from '../../src/engine/types.js';
import { EXITED, hasTmux, useAppScreen } from './tmux.js';

const tempDir = useTempDir();

describe.skipIf(!hasTmux())('classification mode in a terminal (needs tmux)', () => {
  let modelsDir: string;
  let configDir: string;
  const openApp = useAppScreen();

  beforeAll(async () => {
    await useTestBackend();
    modelsDir = tempDir('inkling-e2e-cls-models-');
    configDir = tempDir('inkling-e2e-cls-config-');
    await makeTinyModel(modelsDir, 'tiny-gpt', { arch: 'gpt' });
    const rows = [];
    for (let i = 0; i < 10; i++) rows.push({ text: `the cat sat on the mat ${i}`, label: 'cat' }, { text: `a dog and a log by the dog ${i}`, label: 'dog' });
    const data = path.join(tempDir('inkling-e2e-cls-data-'), 'pets.jsonl');
    writeFileSync(data, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    await runTraining({ kind: 'finetune', task: 'classify', name: 'pets', modelsDir, from: 'tiny-gpt', data, classify: { epochs: 5 } } as FinetuneRequest, () => {}, () => false, 'wasm');
  }, 180_000);

  it('labels inputs with bars while a classifier is in use, and replies again after /use of a language model', async () => {
    const app = openApp({ modelsDir, configDir }, { args: 'chat tiny-gpt' });
    await app.waitFor(/Type a prompt, or \/help/, 90_000);

    await app.enter('/use pets');
    await app.waitFor(/classification mode: each input gets pets's label probabilities[\s\S]*classify mode/);

    await app.enter('the cat sat');
    await app.waitFor(/you › the cat sat[\s\S]*pets:\s+(cat|dog)\s+(cat|dog)\s+█*░*\s+\d\.\d\d\s+(cat|dog)\s+█*░*\s+\d\.\d\d/);

    await app.enter('/use tiny-gpt');
    await app.waitFor(/now using tiny-gpt/);
    await app.enter('the dog');
    await app.waitFor(/you › the dog[\s\S]*tiny-gpt · \d+\.\d tok\/s/);

    await app.enter('/quit');
    const last = await app.waitFor(new RegExp(EXITED));
    expect(last).not.toMatch(/Error|at .*\.ts:\d+/);
  }, 300_000);
});
