// Tiny real models for tests: trained in-process by the real training loop in a few seconds.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../../src/engine/runtime/backend.js';
import { runTraining } from '../../src/engine/training/train.js';
import type { Arch, TokenizerKind, TrainEvent, TrainResult } from '../../src/engine/types.js';
import { TINY_TEXT } from './corpus.js';

/** A small text file to train on; returns its path. */
export function writeCorpus(dir: string, text = TINY_TEXT, file = 'corpus.txt'): string {
  const target = path.join(dir, file);
  writeFileSync(target, text);
  return target;
}

/** Tests run on wasm with the kernel fixes: the product's path here, and ~9x faster than cpu. */
export async function useTestBackend(): Promise<void> {
  await initBackend('wasm');
}

export interface TinyModelOptions {
  arch?: Arch;
  tokenizer?: TokenizerKind;
  steps?: number;
  corpus?: string;
  seed?: number;
  evalInterval?: number;
  vocabLimit?: number;
  onEvent?: (event: TrainEvent) => void;
}

// A run's manifest names its corpus file and a resume reloads it, so the files live until the test process ends.
const corpusDirs: string[] = [];
process.once('exit', () => corpusDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function defaultCorpus(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'inkling-corpus-'));
  corpusDirs.push(dir);
  return writeCorpus(dir);
}

/** Train a tiny model named `name` into `modelsDir` and return the run's result. */
export async function makeTinyModel(modelsDir: string, name: string, options: TinyModelOptions = {}): Promise<TrainResult> {
  await useTestBackend();
  return runTraining(
    {
      kind: 'train',
      name,
      modelsDir,
      corpus: options.corpus ?? defaultCorpus(),
      arch: options.arch ?? 'gpt',
      tokenizer: options.tokenizer ?? 'char',
      preset: 'tiny',
      steps: options.steps ?? 8,
      seed: options.seed ?? 1,
      overrides: { evalInterval: options.evalInterval ?? 4, evalBatches: 2, ...(options.vocabLimit ? { vocabLimit: options.vocabLimit } : {}) },
    },
    options.onEvent ?? (() => {}),
    () => false,
    'wasm',
  );
}
