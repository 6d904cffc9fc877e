// Names and folders: the shipped model names are reserved for new runs (a model of yours never hides one),
// names are up to 64 characters as the README says, and --models-dir must be a folder.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTraining } from '../../src/engine/runtime/worker/client.js';
import { MAX_MODEL_NAME, validateModelName } from '../../src/engine/store/names.js';
import { resolveModelsDir, shippedModelNames } from '../../src/engine/store/paths.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();

describe('reserved and bounded names', () => {
  it('train and finetune --name of a shipped model are refused in one line', async () => {
    expect(shippedModelNames()).toEqual(expect.arrayContaining(['gutenberg-gpt', 'gutenberg-lstm']));
    const modelsDir = tempDir();
    const train = startTraining({ kind: 'train', name: 'gutenberg-gpt', modelsDir, corpus: 'shakespeare', arch: 'gpt', tokenizer: 'char', steps: 1 }, () => {});
    await expect(train.done).rejects.toThrow(/^gutenberg-gpt is the name of a shipped model: choose another --name$/);
    const finetune = startTraining({ kind: 'finetune', name: 'gutenberg-lstm', modelsDir, from: 'gutenberg-gpt', data: 'shakespeare' } as never, () => {});
    await expect(finetune.done).rejects.toThrow(/shipped model/);
  });

  it('names are at most 64 characters, as the README says', async () => {
    expect(MAX_MODEL_NAME).toBe(64);
    expect(validateModelName('a'.repeat(64))).toBe('a'.repeat(64));
    expect(() => validateModelName('a'.repeat(65))).toThrow(/at most 64 characters/);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync('README.md', 'utf8')).toMatch(/up to 64 characters/);
  });

  it('--models-dir pointing at a file is refused', () => {
    const file = path.join(tempDir(), 'a-file');
    writeFileSync(file, 'x');
    expect(() => resolveModelsDir(file)).toThrow(`--models-dir ${file} is not a folder: give a folder (it is created when missing)`);
    expect(resolveModelsDir(path.join(tempDir(), 'new'))).toMatch(/new$/);
  });
});
