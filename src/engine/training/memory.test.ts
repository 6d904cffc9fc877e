import { describe, expect, it } from 'vitest';
import { parseGpt2Config, gpt2ParameterCount } from '../models/gpt2-config.js';
import { WASM_HEAP_BYTES, estimateInference, estimateTraining, loraActivationFloats, wasmFitRefusal } from './memory.js';

const gpt2 = (n_embd: number, n_layer: number, n_head: number) =>
  parseGpt2Config({ architectures: ['GPT2LMHeadModel'], vocab_size: 50257, n_positions: 1024, n_embd, n_layer, n_head });
const small = gpt2(768, 12, 12);
const medium = gpt2(1024, 24, 16);
const large = gpt2(1280, 36, 20);
const batch = { batchSize: 4, seqLength: 128 };
/** Trainable parameters with --freeze n: everything but the embeddings and the first n layers. */
const trainableAt = (c: typeof small) => (n: number) => {
  const p = gpt2ParameterCount(c);
  const perLayer = (gpt2ParameterCount(c) - gpt2ParameterCount({ ...c, layers: 0 })) / c.layers;
  return p - (c.vocabSize + c.contextLength) * c.embedding - n * perLayer;
};
/** GPT-2's four adapted projections per block: c_attn, attn c_proj, c_fc, mlp c_proj. */
const projections = (c: typeof small) =>
  Array.from({ length: c.layers }).flatMap(() => [
    { inDim: c.embedding, outDim: 3 * c.embedding },
    { inDim: c.embedding, outDim: c.embedding },
    { inDim: c.embedding, outDim: c.inner },
    { inDim: c.inner, outDim: c.embedding },
  ]);
const lora8 = (c: typeof small) => ({ trainable: projections(c).reduce((n, t) => n + 8 * (t.inDim + t.outDim), 0), floatsPerToken: loraActivationFloats(projections(c)) });
const GiB = 1024 ** 3;

describe('training memory estimate', () => {
  it('adds weights, gradients with AdamW slots, a best copy and the new weights, and activations', () => {
    const p = gpt2ParameterCount(small);
    const e = estimateTraining(small, p, p, batch);
    expect(e.weights).toBe(4 * p);
    expect(e.training).toBe(20 * p);
    expect(e.total).toBeCloseTo(1.1 * (e.weights + e.training + e.activations), 0);
    // Fewer trainable weights and smaller batches need less; adapters' activations need more.
    expect(estimateTraining(small, p, p / 2, batch).total).toBeLessThan(e.total);
    expect(estimateTraining(small, p, p, { batchSize: 1, seqLength: 128 }).activations).toBeCloseTo(e.activations / 4, 0);
    expect(estimateTraining(small, p, p, batch, 1000).activations).toBeGreaterThan(e.activations);
    expect(estimateInference(small, p)).toBeLessThan(WASM_HEAP_BYTES / 4);
  });

  it('is at least what the wasm heap measured (bench/RESULTS.md, 2026-12-06)', () => {
    const p = gpt2ParameterCount(small);
    // GPT-2-124M fully at 2 x 128: 3.43 GiB high-water, plus the 0.46 GiB best-weights copy a real run keeps.
    expect(estimateTraining(small, p, p, { batchSize: 2, seqLength: 128 }).total / GiB).toBeGreaterThan(3.43 + 0.46);
    // With LoRA rank 8 at 4 x 128: 2.59 GiB.
    const l = lora8(small);
    expect(estimateTraining(small, p + l.trainable, l.trainable, batch, l.floatsPerToken).total / GiB).toBeGreaterThan(2.59);
  });

  it('refuses gpt2 (124M) fully at 4 x 128 (it ran out of the heap), in one line naming --batch 2 and --lora 8', () => {
    const p = gpt2ParameterCount(small);
    const refusal = wasmFitRefusal('fine-tuning gpt2', small, p, p, batch, { trainableAt: trainableAt(small), lora8: lora8(small) })!;
    expect(refusal).toMatch(/^fine-tuning gpt2 needs about \d+\.\d GB .* but the wasm heap holds 4 GB: try --batch 2, or --freeze \d+, or --lora 8, or a backend without the 4 GB limit/);
    expect(refusal).not.toContain('\n');
    expect(wasmFitRefusal('fine-tuning gpt2', small, p, p, { batchSize: 2, seqLength: 128 })).toBeNull();
  });

  it('lets gpt2-medium take LoRA where a full fine-tune cannot fit; gpt2-large fits neither', () => {
    const pm = gpt2ParameterCount(medium);
    expect(wasmFitRefusal('fine-tuning gpt2-medium', medium, pm, pm, { batchSize: 1, seqLength: 128 })).toMatch(/but the wasm heap holds 4 GB/);
    const m = lora8(medium);
    expect(wasmFitRefusal('fine-tuning gpt2-medium', medium, pm + m.trainable, m.trainable, batch, {}, m.floatsPerToken)).toMatch(/try --batch 1,/);
    expect(wasmFitRefusal('fine-tuning gpt2-medium', medium, pm + m.trainable, m.trainable, { batchSize: 1, seqLength: 128 }, {}, m.floatsPerToken)).toBeNull();
    const l = lora8(large);
    const pl = gpt2ParameterCount(large) + l.trainable;
    expect(wasmFitRefusal('fine-tuning gpt2-large', large, pl, l.trainable, batch, {}, l.floatsPerToken)).toMatch(/heap holds 4 GB: try a backend without the 4 GB limit/);
  });
});
