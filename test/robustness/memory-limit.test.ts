// A run too big for the wasm heap is refused before anything is allocated, in one line saying what fits
// (it used to abort the process with "Aborted()" after a few steps, saving nothing).
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTraining } from '../../src/engine/training/train.js';
import { useTestBackend, writeCorpus } from '../support/models.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();

describe('a training run that does not fit the wasm heap', () => {
  it('is refused at start in one line, with nothing saved', async () => {
    await useTestBackend();
    const modelsDir = tempDir();
    const text = Array.from({ length: 4000 }, (_, i) => `line ${i} of some text to train on.`).join('\n');
    const request = {
      kind: 'train', name: 'big', modelsDir, corpus: writeCorpus(tempDir(), text), arch: 'gpt', tokenizer: 'char', steps: 6,
      overrides: { layers: 12, heads: 12, embedding: 768, contextLength: 128, seqLength: 128, batchSize: 256 },
    } as const;
    await expect(runTraining(request, () => {}, () => false, 'wasm')).rejects.toThrow(/^this run needs about [\d.]+ GB but the wasm backend has 3\.6 GB to train in \([^\n]*\): --batch \d+ fits$/);
    expect(existsSync(path.join(modelsDir, 'big'))).toBe(false);
    expect(readdirSync(modelsDir)).toEqual([]);
  });
});
