// The one fake manifest: a plausible small GPT, with any field overridden.
import type { Manifest } from '../../src/engine/types.js';

export function fakeManifest(name: string, extra: Partial<Manifest> = {}): Manifest {
  return {
    format: 1,
    name,
    arch: 'gpt',
    config: { arch: 'gpt', vocabSize: 65, contextLength: 64, layers: 2, heads: 2, embedding: 32, dropout: 0 },
    train: {
      batchSize: 4, seqLength: 16, learningRate: 1e-3, minLearningRate: 1e-4, warmupSteps: 0, decaySteps: 10,
      weightDecay: 0.1, beta1: 0.9, beta2: 0.99, gradClip: 1, evalInterval: 5, evalBatches: 1,
    },
    tokenizer: { kind: 'char', vocabSize: 65 },
    corpus: { name: 'shakespeare', trainTokens: 1000, valTokens: 100 },
    parent: null,
    step: 120,
    bestValLoss: 2.345,
    history: [],
    params: 12345,
    backend: 'cpu',
    wallSeconds: 3,
    seed: 1,
    createdAt: '2026-11-26T00:00:00Z',
    updatedAt: '2026-11-26T00:00:00Z',
    ...extra,
  };
}
