// The fixed workloads of `npm run bench` (issue 5), each a real training request.
import type { TrainRequest } from '../src/engine/types.js';

export interface Workload {
  id: 'a' | 'b' | 'c';
  description: string;
  request: Omit<TrainRequest, 'name' | 'modelsDir' | 'steps' | 'minutes'>;
  /** Wall-clock training budget of the full run, after which validation loss is reported. */
  budgetSeconds: number;
}

export const WORKLOADS: Workload[] = [
  {
    id: 'a',
    description: "gpt nano-cpu (nanoGPT's CPU recipe) on Tiny Shakespeare, char-level",
    request: { kind: 'train', corpus: 'shakespeare', arch: 'gpt', tokenizer: 'char', preset: 'nano-cpu', seed: 1337 },
    budgetSeconds: 190,
  },
  {
    id: 'b',
    description: 'char LSTM on Tiny Shakespeare: embedding 64, LSTM 256, seq 64, batch 32, Adam 2e-3',
    request: { kind: 'train', corpus: 'shakespeare', arch: 'lstm', tokenizer: 'char', preset: 'char', seed: 1337 },
    budgetSeconds: 180,
  },
  {
    id: 'c',
    description: 'word LSTM on the Gutenberg books: 10k words + <unk>, embedding 128, LSTM 256, seq 32, batch 32, Adam 1e-3',
    request: {
      kind: 'train',
      corpus: 'gutenberg',
      arch: 'lstm',
      tokenizer: 'word',
      preset: 'word',
      seed: 1337,
      overrides: { vocabLimit: 10_000 },
    },
    budgetSeconds: 180,
  },
];
