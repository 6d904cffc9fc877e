// Workloads (d) and (e): pretrained-model shapes with random weights, shared by bench/pretrained.ts and
// bench/prefill-profile.ts.
import { isArch } from '../src/engine/models/index.js';
import type { ModelConfig } from '../src/engine/types.js';

export interface Shape {
  id: string;
  description: string;
  /** The config, or null when the family is not in this build. */
  config: () => ModelConfig | null;
}

export const PRETRAINED_SHAPES: Shape[] = [
  {
    id: 'd',
    description: 'GPT-2 124M shape (random weights)',
    config: () =>
      isArch('gpt2')
        ? ({ arch: 'gpt2', vocabSize: 50257, contextLength: 1024, layers: 12, heads: 12, embedding: 768, inner: 3072, layerNormEpsilon: 1e-5, dropout: 0 } as ModelConfig)
        : null,
  },
  {
    id: 'e',
    description: 'SmolLM2-135M shape (random weights)',
    config: () => ({
      arch: 'llama',
      vocabSize: 49152,
      contextLength: 2048,
      layers: 30,
      embedding: 576,
      heads: 9,
      kvHeads: 3,
      headDim: 64,
      intermediate: 1536,
      rmsEps: 1e-5,
      ropeTheta: 100000,
      ropeScaling: null,
      tiedEmbeddings: true,
      qkvBias: false,
      outputBias: false,
      dropout: 0,
    }),
  },
];

