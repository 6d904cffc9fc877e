import { describe, expect, it } from 'vitest';
import '../models/index.js';
import { checkTrainingFits, estimateTrainingMemory, TRAINING_BUDGET_BYTES } from './memory.js';
import type { ModelConfig } from '../types.js';

const gpt = (layers: number, embedding: number, vocabSize: number, contextLength: number): ModelConfig => ({
  arch: 'gpt', vocabSize, contextLength, layers, heads: embedding / 64, embedding, dropout: 0,
});

describe('training memory estimate', () => {
  it('is at or above the wasm heaps measured for real runs (6-12 layers, embedding 384, context 128)', () => {
    // Heap sizes after 3 steps of `train --corpus shakespeare` on wasm: 500, 840 and 1,572 MB.
    for (const [layers, batch, measuredMB] of [[6, 2, 500], [6, 8, 840], [12, 8, 1572]] as const) {
      const mb = estimateTrainingMemory(gpt(layers, 384, 65, 128), batch, 128).totalBytes / 1e6;
      expect(mb).toBeGreaterThanOrEqual(measuredMB);
      expect(mb).toBeLessThan(measuredMB * 1.25);
    }
  });

  it('refuses the issue\'s 111M-parameter word GPT in one line saying what fits', () => {
    const run = () => checkTrainingFits(gpt(12, 768, 50000, 128), 4, 128);
    expect(run).toThrow(/^this run needs about 5\.7 GB but the wasm backend has 3\.6 GB to train in \(123M parameters: .*\): at batch 4 about \d+M parameters fit; use fewer --layers, a smaller --embedding or --vocab$/);
  });

  it('names a batch that fits when only the activations are too big', () => {
    expect(() => checkTrainingFits(gpt(6, 384, 65, 256), 512, 256)).toThrow(/: --batch \d+ fits$/);
    const batch = Number(/--batch (\d+) fits/.exec((() => { try { checkTrainingFits(gpt(6, 384, 65, 256), 512, 256); } catch (e) { return (e as Error).message; } return ''; })())![1]);
    expect(estimateTrainingMemory(gpt(6, 384, 65, 256), batch, 256).totalBytes).toBeLessThanOrEqual(TRAINING_BUDGET_BYTES);
    expect(estimateTrainingMemory(gpt(6, 384, 65, 256), batch + 1, 256).totalBytes).toBeGreaterThan(TRAINING_BUDGET_BYTES);
  });

  it('lets the presets and the shipped models through', () => {
    expect(() => checkTrainingFits(gpt(4, 128, 87, 64), 12, 64)).not.toThrow();
    expect(() => checkTrainingFits({ arch: 'lstm', vocabSize: 10001, embedding: 256, hidden: 512, layers: 2, dropout: 0 }, 32, 64)).not.toThrow();
  });
});
