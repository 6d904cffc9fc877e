// Concurrency: a second /train or /finetune while one runs is refused with a message, and
// /use on a model that is being saved (by the background worker) loads its last good checkpoint.
import { mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { chatContext } from '../support/commands.js';
import { runCommandLine } from '../../src/commands/dispatch.js';
import { loadModel } from '../../src/engine/store/checkpoint.js';
import { findModel } from '../../src/engine/store/registry.js';
import { Chat } from '../../src/ui/session.js';
import { realEngine } from '../../src/ui/real-engine.js';
import { makeTinyModel, writeCorpus } from '../support/models.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();

let modelsDir: string;
let corpus: string;

beforeAll(async () => {
  modelsDir = tempDir('inkling-concurrency-');
  corpus = writeCorpus(tempDir());
  // Evaluates (and so saves) every step: a resumed run of it saves many times a second.
  await makeTinyModel(modelsDir, 'k', { corpus, steps: 2, evalInterval: 1 });
});

function session(): Chat {
  return new Chat({ modelsDir, configDir: tempDir(), deps: realEngine(modelsDir), backendLabel: 'wasm', backend: 'wasm' });
}

async function until(check: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('one training run at a time', () => {
  it('/train and /finetune while a run is going are refused in one line; /stop ends it with a save', async () => {
    const chat = session();
    const ctx = () => ({ ...chatContext(undefined, modelsDir), chat });
    const first = ctx();
    await runCommandLine(`/train --corpus ${corpus} --preset tiny --name a --steps 100000`, first);
    expect(first.out.errors).toEqual([]);
    expect(chat.training?.running).toBe(true);

    for (const line of [`/train --corpus ${corpus} --preset tiny --name b --steps 5`, `/finetune --from k --name v --data ${corpus} --steps 5`, `/train --corpus ${corpus} --name a --resume --steps 5`]) {
      const again = ctx();
      await runCommandLine(line, again);
      expect(again.out.errors, line).toEqual([expect.stringMatching(/^a is still training: .*\/stop/)]);
    }
    expect(chat.training?.request.name).toBe('a');

    await until(() => chat.training?.last?.type === 'progress');
    const stop = ctx();
    await runCommandLine('/stop', stop);
    expect(stop.out.errors).toEqual([]);
    await until(() => chat.training?.running === false);
    const loaded = await loadModel(path.join(modelsDir, 'a'));
    loaded.dispose();
    await chat.shutdown();
  });
});

describe('/use while the model is being saved', () => {
  it('always loads a good checkpoint while the worker saves it over and over', async () => {
    const chat = session();
    chat.startTraining({ kind: 'train', name: 'k', modelsDir, corpus, arch: 'gpt', tokenizer: 'char', resume: true, steps: 60, backend: 'wasm' });
    await until(() => chat.training?.last?.type === 'progress');
    const steps: number[] = [];
    const failures: string[] = [];
    while (chat.training?.running) {
      try {
        await chat.use('k');
        steps.push(chat.model!.manifest.step);
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
    expect(failures).toEqual([]);
    expect(steps.length).toBeGreaterThan(5);
    expect(new Set(steps).size).toBeGreaterThan(1);
    await chat.shutdown();
  });

  it('waits out the instant between the two renames of a save instead of failing', async () => {
    const dir = tempDir();
    await makeTinyModel(dir, 'w', { corpus, steps: 2, evalInterval: 2 });
    const aside = path.join(dir, `.w.old-${process.pid}-${Date.now()}`);
    const next = path.join(dir, `.w.tmp-${process.pid}-${Date.now()}`);
    renameSync(path.join(dir, 'w'), aside);
    mkdirSync(next);
    // The "save" finishes a moment later.
    setTimeout(() => renameSync(aside, path.join(dir, 'w')), 150);
    const found = await findModel([dir], 'w');
    const loaded = await loadModel(found);
    expect(loaded.name).toBe('w');
    loaded.dispose();
  });
});
