import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { makeTinyModel, writeCorpus } from '../support/models.js';
import { useTempDir } from '../support/temp.js';
import { evaluateInWorker, startTraining } from '../../src/engine/runtime/worker/client.js';
import { replyGate } from '../../src/engine/runtime/worker/run-control.js';
import { readManifest } from '../../src/engine/store/checkpoint.js';
import type { TrainEvent } from '../../src/engine/types.js';

const tempDir = useTempDir();

describe('training worker', () => {
  it('trains in a worker thread, relays events and stops on request after saving', async () => {
    const modelsDir = tempDir();
    const events: TrainEvent[] = [];
    const handle = startTraining(
      { kind: 'train', name: 'w', modelsDir, corpus: writeCorpus(tempDir()), arch: 'gpt', tokenizer: 'char', preset: 'tiny', steps: 100000, backend: 'wasm' },
      (event) => {
        events.push(event);
        if (event.type === 'progress' && event.step === 3) handle.stop();
      },
    );
    const result = await handle.done;
    expect(result.stoppedBy).toBe('stop');
    // The run opens with its start line (the backend line is the app's, not repeated by the worker).
    expect(events[0]).toMatchObject({ type: 'start', backend: expect.stringMatching(/^wasm/) });
    expect(events.at(-1)!.type).toBe('done');
    expect((await readManifest(path.join(modelsDir, 'w'))).step).toBe(result.step);
  });

  it('pauses between steps while a reply holds the gate, stays alive meanwhile, and resumes', async () => {
    const modelsDir = tempDir();
    let step = 0;
    let endReply: (() => void) | null = null;
    const handle = startTraining(
      { kind: 'train', name: 'p', modelsDir, corpus: writeCorpus(tempDir()), arch: 'gpt', tokenizer: 'char', preset: 'tiny', steps: 6, backend: 'wasm' },
      (event) => {
        if (event.type !== 'progress') return;
        step = event.step;
        if (step === 2) endReply = replyGate.begin();
      },
    );
    let settled = false;
    void handle.done.finally(() => (settled = true)).catch(() => {});
    for (let i = 0; replyGate.paused === 0; i++) {
      if (i === 6000 || settled) throw new Error('the run never paused');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // Paused, not gone: a waiting worker must keep its event loop alive (it used to exit here with code 0).
    const turns = async (n: number) => {
      for (let i = 0; i < n; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    await turns(20); // the last step's message may still be on its way
    const atPause = step;
    await turns(60);
    expect(settled).toBe(false);
    expect(step).toBe(atPause);
    expect(atPause).toBeLessThan(6);
    endReply!();
    const result = await handle.done;
    expect(result.step).toBe(6);
  });

  it('reports a bad request as one error line', async () => {
    const handle = startTraining(
      { kind: 'train', name: 'x', modelsDir: tempDir(), corpus: 'no-such-corpus', arch: 'gpt', tokenizer: 'char', backend: 'wasm' },
      () => {},
    );
    await expect(handle.done).rejects.toThrow(/^unknown corpus 'no-such-corpus'[^\n]*$/);
  });

  it('evaluates a model in a worker, and reports a missing folder in one line', async () => {
    const modelsDir = tempDir();
    const corpus = writeCorpus(tempDir());
    await makeTinyModel(modelsDir, 'e', { steps: 4, corpus });
    // Trained on a file: eval is given it (a path recorded in a model folder is not read on its own).
    const report = await evaluateInWorker(path.join(modelsDir, 'e'), { backend: 'wasm', corpus });
    expect(report.perplexity).toBeCloseTo(Math.exp(report.valLoss), 6);
    expect(report.continuation.samples.length).toBeGreaterThan(0);
    expect(report.nextTokenAccuracy).toBeGreaterThanOrEqual(0);
    await expect(evaluateInWorker(path.join(modelsDir, 'nope'), { backend: 'wasm' })).rejects.toThrow(/^model 'nope' is missing manifest.json$/);
  });
});
