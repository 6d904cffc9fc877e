// Slow: ≥20 SIGKILLs of a process that saves one model over and over (full checkpoints with optimizer state,
// under the model's lock), each at a random moment, most of them mid-save. After every kill the next start
// tidies up, takes the dead run's lock over, and the model loads (sampling and --resume): unloadable = 0.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel, loadResumeState } from '../../src/engine/store/checkpoint.js';
import { lockModel } from '../../src/engine/store/lock.js';
import { listModels, tidyModelsDir } from '../../src/engine/store/registry.js';
import * as tf from '@tensorflow/tfjs-core';
import { makeTinyModel } from '../support/models.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir('inkling-kill-');
const KILLS = 20;

describe('SIGKILL at random moments while a model is saved over and over', () => {
  // Each kill starts a fresh process (tsx and tfjs load in it): ~90 s on a quiet machine, so a generous timeout for a loaded one.
  it(`${KILLS} kills: every time the model loads, resumes, and keeps its progress`, { timeout: 600_000 }, async () => {
    const modelsDir = tempDir();
    await makeTinyModel(modelsDir, 'k', { steps: 2, evalInterval: 2 });
    const script = path.resolve('test/support/kill-saver.ts');
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let lastStep = 2;
    let unloadable = 0;
    const started = Date.now();
    for (let kill = 0; kill < KILLS; kill++) {
      const child = spawn(process.execPath, ['--import', 'tsx', script, modelsDir], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
        child.on('exit', (code) => reject(new Error(`saver exited with ${code}: ${stderr.split('\n').slice(0, 3).join(' ')}`)));
      });
      // Saves take a few ms each: a random wait lands most kills inside one (writing files or swapping folders).
      await new Promise((resolve) => setTimeout(resolve, Math.floor(rand() * 400)));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));

      await tidyModelsDir(modelsDir);
      const entries = await listModels([modelsDir]);
      const entry = entries.find((e) => e.name === 'k');
      try {
        const loaded = await loadModel(path.join(modelsDir, 'k'));
        const step = loaded.manifest.step;
        loaded.dispose();
        const state = await loadResumeState(path.join(modelsDir, 'k'));
        tf.dispose([...Object.values(state.weights), ...Object.values(state.optimizer.tensors)]);
        expect(entry?.ok, `kill ${kill}: ${JSON.stringify(entry)}`).toBe(true);
        expect(step, `kill ${kill}`).toBeGreaterThanOrEqual(lastStep);
        lastStep = step;
      } catch (error) {
        unloadable++;
        throw error;
      }
      // The dead run's lock is taken over at once.
      const release = await lockModel(modelsDir, 'k');
      await release();
    }
    console.log(`kill loop: ${KILLS} kills in ${((Date.now() - started) / 1000).toFixed(0)} s, model at step ${lastStep}, unloadable ${unloadable}`);
    expect(unloadable).toBe(0);
    expect(lastStep).toBeGreaterThan(2);
  });
});
