import { describe, expect, it } from 'vitest';
import { parseGpt2Config, gpt2ParameterCount } from '../models/gpt2-config.js';
import { WASM_HEAP_BYTES, estimateInference, estimateTraining, wasmFitRefusal } from './memory.js';

const gpt2 = (n_embd: number, n_layer: number, n_head: number) =>
  parseGpt2Config({ architectures: ['GPT2LMHeadModel'], vocab_size: 50257, n_positions: 1024, n_embd, n_layer, n_head });
const small = gpt2(768, 12, 12);
const medium = gpt2(1024, 24, 16);
const batch = { batchSize: 4, seqLength: 128 };
/** Trainable parameters with --freeze n: everything but the embeddings and the first n layers. */
const trainableAt = (c: typeof small) => (n: number) => {
  const p = gpt2ParameterCount(c);
  const perLayer = (gpt2ParameterCount(c) - gpt2ParameterCount({ ...c, layers: 0 })) / c.layers;
  return p - (c.vocabSize + c.contextLength) * c.embedding - n * perLayer;
};

/** Trainable parameters of rank-8 adapters on GPT-2's four projections per block. */
const loraAt8 = (c: typeof small) => c.layers * 8 * (c.embedding + 3 * c.embedding + 2 * c.embedding + c.embedding + c.inner + c.inner + c.embedding);

describe('training memory estimate', () => {
  it('adds weights, gradients with AdamW slots and a best copy, and activations', () => {
    const p = gpt2ParameterCount(small);
    const e = estimateTraining(small, p, p, batch);
    expect(e.weights).toBe(4 * p);
    expect(e.training).toBe(16 * p);
    expect(e.total).toBe(e.weights + e.training + e.activations);
    // Fewer trainable weights and smaller batches need less.
    expect(estimateTraining(small, p, p / 2, batch).total).toBeLessThan(e.total);
    expect(estimateTraining(small, p, p, { batchSize: 1, seqLength: 128 }).activations).toBeCloseTo(e.activations / 4, 0);
    expect(estimateInference(small, p)).toBeLessThan(WASM_HEAP_BYTES / 4);
  });

  it('lets gpt2 (124M) fine-tune fully in the wasm heap, and refuses gpt2-medium in one line saying what fits', () => {
    const p = gpt2ParameterCount(small);
    expect(wasmFitRefusal('fine-tuning gpt2', small, p, p, batch, { trainableAt: trainableAt(small) })).toBeNull();
    const pm = gpt2ParameterCount(medium);
    const refusal = wasmFitRefusal('fine-tuning gpt2-medium', medium, pm, pm, batch, { trainableAt: trainableAt(medium), loraTrainable: loraAt8(medium) })!;
    expect(refusal).toMatch(/^fine-tuning gpt2-medium needs about \d+\.\d GB \(weights 1\.3 GB, gradients and AdamW 5\.3 GB, activations \d\.\d GB at batch 4 x 128\) but the wasm heap holds 4 GB: try --freeze \d+, or --lora 8, or a backend without the 4 GB limit/);
    expect(refusal).not.toContain('\n');
  });

  it('lets gpt2-medium take LoRA where a full fine-tune cannot fit, and sends gpt2-large LoRA to a smaller batch', () => {
    const pm = gpt2ParameterCount(medium);
    expect(wasmFitRefusal('fine-tuning gpt2-medium', medium, pm + loraAt8(medium), loraAt8(medium), batch)).toBeNull();
    const large = gpt2(1280, 36, 20);
    const pl = gpt2ParameterCount(large) + loraAt8(large);
    expect(wasmFitRefusal('fine-tuning gpt2-large', large, pl, loraAt8(large), batch)).toMatch(/try batch 1, or a backend without the 4 GB limit/);
  });
});
