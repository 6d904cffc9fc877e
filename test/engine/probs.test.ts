import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as path from 'node:path';
import { makeTinyModel, useTestBackend } from '../support/models.js';
import { useTempDir } from '../support/temp.js';
import { loadModel, type LoadedModel } from '../../src/engine/store/checkpoint.js';
import { generate, makeRandom, pickToken } from '../../src/engine/sample.js';
import { NextToken } from '../../src/engine/probs.js';
import { Stepper, readNextToken } from '../../src/engine/stepper.js';
import { labelFromBytes, tokenLabel } from '../../src/engine/token-label.js';
import { perTokenSurprisal } from '../../src/engine/training/per-token.js';
import { estimateLoss } from '../../src/engine/training/evaluate.js';
import type { SampleOptions, Tokenizer } from '../../src/engine/types.js';

const tempDir = useTempDir();

const base: SampleOptions = { maxTokens: 20, temperature: 1, topK: 0, topP: 1 };
const SETTINGS: Array<Partial<SampleOptions>> = [{}, { temperature: 0.5 }, { temperature: 1.7, topK: 5 }, { topP: 0.6 }, { temperature: 0.8, topK: 8, topP: 0.9 }, { temperature: 0 }];
const models: Record<string, LoadedModel> = {};

beforeAll(async () => {
  const dir = tempDir();
  await makeTinyModel(dir, 'gpt', { arch: 'gpt', steps: 30, evalInterval: 30 });
  await makeTinyModel(dir, 'lstm', { arch: 'lstm', steps: 20, evalInterval: 20 });
  await makeTinyModel(dir, 'gru', { arch: 'gru', steps: 20, evalInterval: 20 });
  await makeTinyModel(dir, 'word', { arch: 'lstm', tokenizer: 'word', steps: 20, evalInterval: 20, vocabLimit: 8 });
  for (const name of ['gpt', 'lstm', 'gru', 'word']) models[name] = await loadModel(path.join(dir, name));
});

describe('token probabilities', () => {
  for (const name of ['gpt', 'lstm', 'gru', 'word']) {
    it(`sum to one over the whole vocabulary, raw and after the settings (${name})`, async () => {
      const m = models[name];
      const next = await readNextToken(m, 'the cat', m.tokenizer.vocabSize);
      // The top few, selected without sorting everything, are the head of the full ranking.
      const few = (await readNextToken(m, 'the cat', 5)).view(base).candidates;
      expect(few).toEqual(next.view(base).candidates.slice(0, 5));
      for (const setting of SETTINGS) {
        const view = next.view({ ...base, ...setting });
        expect(view.candidates).toHaveLength(m.tokenizer.vocabSize);
        expect(view.candidates.reduce((s, c) => s + Math.exp(c.logprob), 0)).toBeCloseTo(1, 5);
        expect(view.candidates.reduce((s, c) => s + c.sampled, 0)).toBeCloseTo(1, 5);
        expect(view.candidates.filter((c) => c.sampled > 0).length).toBeLessThanOrEqual(view.kept);
        const entropy = -view.candidates.reduce((s, c) => s + Math.exp(c.logprob) * c.logprob, 0);
        expect(view.entropy).toBeCloseTo(entropy, 4);
        const sampledEntropy = -view.candidates.reduce((s, c) => s + (c.sampled > 0 ? c.sampled * Math.log(c.sampled) : 0), 0);
        expect(view.sampledEntropy).toBeCloseTo(sampledEntropy, 5);
      }
    });

    it(`match eval's per-token loss on the same text (${name})`, async () => {
      const m = models[name];
      const ids = m.tokenizer.encode('the cat sat on the mat. the dog sat on the log.').ids.slice(0, 16);
      const tokens = Int32Array.from(ids);
      const seqLength = ids.length - 1;
      // Stepping by hand through the text, token by token, after its first token.
      const stepper = await Stepper.start(m, m.tokenizer.decode([ids[0]]), base, 5);
      try {
        for (const id of ids.slice(1)) await stepper.accept(id);
        const stepped = stepper.tokens.map((t) => -t.chosen.logprob);
        const rows = await perTokenSurprisal(m.model, m.tokenizer, tokens, [0], seqLength);
        expect(rows.map((r) => r.id)).toEqual(ids.slice(1));
        rows.forEach((r, i) => expect(r.nats).toBeCloseTo(stepped[i], 4));
        const loss = await estimateLoss(m.model, tokens, [0], seqLength, 1);
        expect(rows.reduce((s, r) => s + r.nats, 0) / rows.length).toBeCloseTo(loss, 4);
      } finally {
        stepper.dispose();
      }
    });
  }

  it('generate reports each token of the text, and the same text as without them', async () => {
    // Greedy settings too: with probs on, the greedy pick is the SIMD pass's top candidate rather than argmax's.
    for (const [name, setting] of [['gpt', { temperature: 1.2, topK: 6 }], ['word', { temperature: 1.2, topK: 6 }], ['lstm', { temperature: 0 }], ['word', { temperature: 0 }]] as const) {
      const m = models[name];
      const options = { ...base, ...setting, seed: 4, maxTokens: 25 };
      const seen: string[] = [];
      const plain = await generate(m, 'the cat', options, () => {});
      const before = tf.memory().numTensors;
      const probed = await generate(m, 'the cat', options, () => {}, undefined, { top: 3, onToken: (t) => seen.push(t.text) });
      expect(tf.memory().numTensors).toBe(before);
      expect(probed.text).toBe(plain.text);
      expect(plain.tokenProbs).toBeUndefined();
      expect(probed.tokenProbs!.map((t) => t.text).join('')).toBe(probed.text);
      expect(seen.join('')).toBe(probed.text);
      for (const t of probed.tokenProbs!) {
        expect(t.candidates).toHaveLength(3);
        expect(t.chosen.sampled).toBeGreaterThan(0);
        expect(t.kept).toBeLessThanOrEqual(options.temperature === 0 ? 1 : 6);
      }
    }
  });

  it("generate's per-token probabilities, built from the sampler's own work, are the ones /step reads from the logits", async () => {
    for (const name of ['gpt', 'word']) {
      const m = models[name];
      // Every candidate (<unk> among them for the word model), and a few, read from the cut where it kept more.
      for (const [top, setting] of SETTINGS.flatMap((s) => [m.tokenizer.vocabSize, 3].map((top) => [top, s] as const))) {
        const options = { ...base, ...setting, seed: 5, maxTokens: 12, ignoreEos: true };
        const generated = (await generate(m, 'the cat', options, () => {}, undefined, { top })).tokenProbs!;
        const stepper = await Stepper.start(m, 'the cat', options, top);
        for (let i = 0; i < generated.length; i++) await stepper.sample();
        stepper.dispose();
        generated.forEach((token, i) => {
          const stepped = stepper.tokens[i];
          expect(token.chosen.id).toBe(stepped.chosen.id);
          expect(token.kept).toBe(stepped.kept);
          expect(token.entropy).toBeCloseTo(stepped.entropy, 5);
          expect(token.sampledEntropy).toBeCloseTo(stepped.sampledEntropy, 5);
          for (const [a, b] of [[token.chosen, stepped.chosen], ...token.candidates.map((c, j) => [c, stepped.candidates[j]])]) {
            expect(a.id).toBe(b.id);
            expect(a.logprob).toBeCloseTo(b.logprob, 5);
            expect(a.sampled).toBeCloseTo(b.sampled, 6);
          }
        });
      }
    }
  });

  it('a stop string cuts the reported tokens where it cuts the text', async () => {
    const m = models.gpt;
    const full = await generate(m, 'the cat', { ...base, temperature: 0 }, () => {});
    const stop = full.text.slice(4, 6);
    const cut = await generate(m, 'the cat', { ...base, temperature: 0, stop: [stop] }, () => {}, undefined, { top: 2 });
    expect(cut.tokenProbs!.map((t) => t.text).join('')).toBe(cut.text);
  });
});

describe('stepping', () => {
  it('sampling step by step with a seed writes what generate writes with that seed', async () => {
    for (const name of ['gpt', 'lstm']) {
      const options = { ...base, temperature: 1.3, topP: 0.95, seed: 11, maxTokens: 15 };
      const generated = await generate(models[name], 'the', options, () => {});
      const stepper = await Stepper.start(models[name], 'the', options, 4);
      for (let i = 0; i < 15; i++) await stepper.sample();
      expect(stepper.text).toBe(generated.text);
      stepper.dispose();
    }
  });

  it('fixed choices and undo reproduce a text, with the tensor count flat', async () => {
    const m = models.gpt;
    const before = tf.memory().numTensors;
    const stepper = await Stepper.start(m, 'the ', { ...base, seed: 2 }, 5);
    const second = stepper.view().candidates[1].id;
    await stepper.accept(second);
    await stepper.sample();
    const text = stepper.text;
    await stepper.accept(stepper.view().candidates[0].id);
    await stepper.undo();
    expect(stepper.text).toBe(text);
    expect(stepper.tokens[0].chosen.id).toBe(second);
    stepper.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const again = await Stepper.start(m, 'the ', { ...base, seed: 2 }, 5);
    await again.accept(second);
    await again.sample();
    expect(again.text).toBe(text);
    again.dispose();
  });
});

/** A fake tokenizer over `size` ids; `unk` marks one as <unk>. */
function fakeTokenizer(size: number, unk: number | null = null): Tokenizer {
  return {
    kind: 'char', vocabSize: size, unkId: unk,
    encode: () => ({ ids: [], unknown: 0 }),
    decode: (ids) => ids.map((id) => String.fromCharCode(97 + (id % 26))).join(''),
    decoder: () => (id) => String.fromCharCode(97 + (id % 26)),
    toJSON: () => ({ kind: 'char', vocab: [], options: {} }),
  };
}

async function describeLogits(logits: number[], options: SampleOptions, unk: number | null = null) {
  await useTestBackend();
  return NextToken.fromValues(Float32Array.from(logits), fakeTokenizer(logits.length, unk), logits.length);
}

describe('the cut shown is the cut the sampler applies', () => {
  const logits = [2, 3.5, 3.5, -1, 0.5, 3.4, 1, -3];
  const drawn = (options: SampleOptions, unk: number | null = null) => {
    const values = Float32Array.from(logits);
    if (unk !== null) values[unk] = -Infinity;
    const random = makeRandom(9);
    return new Set(Array.from({ length: 400 }, () => pickToken(values, options, random)));
  };
  const kept = (view: { candidates: Array<{ id: number; sampled: number }> }) =>
    new Set(view.candidates.filter((c) => c.sampled > 0).map((c) => c.id));

  for (const [label, setting] of [
    ['top-k 1', { topK: 1 }],
    ['top-k 2 with a tie at the edge', { topK: 2 }],
    ['top-k 3', { topK: 3 }],
    ['top-p near 0', { topP: 1e-6 }],
    ['top-p 0.5', { topP: 0.5 }],
    ['temperature near 0', { temperature: 1e-3 }],
    ['temperature 0', { temperature: 0 }],
    ['temperature near 0 with top-p', { temperature: 0.01, topP: 0.999 }],
  ] as const) {
    it(label, async () => {
      const options = { ...base, ...setting };
      const next = await describeLogits(logits, options);
      const view = next.view(options);
      const reference = referenceDistribution(logits, options);
      for (const c of view.candidates) expect(c.sampled).toBeCloseTo(reference.get(c.id) ?? 0, 9);
      expect(view.kept).toBe(reference.size);
      for (const id of drawn(options)) expect(kept(view).has(id)).toBe(true);
      expect(view.candidates.reduce((s, c) => s + c.sampled, 0)).toBeCloseTo(1, 6);
    });
  }

  it('top-k 1 and top-p near 0 keep exactly the top token, ties going to the lower id', async () => {
    for (const options of [{ ...base, topK: 1 }, { ...base, topP: 1e-9 }, { ...base, temperature: 0 }]) {
      const next = await describeLogits(logits, options);
      expect(next.best).toBe(1);
      expect(pickToken(Float32Array.from(logits), options, makeRandom(1))).toBe(1);
      const view = next.view(options);
      expect(view.kept).toBe(1);
      expect(view.candidates[0]).toMatchObject({ id: 1, sampled: 1 });
      expect(view.candidates[1]).toMatchObject({ id: 2, sampled: 0 });
      expect(view.sampledEntropy).toBe(0);
    }
  });

  it('<unk> keeps its raw probability but is never kept, as the sampler never writes it', async () => {
    const options = { ...base, topK: 2 };
    const view = (await describeLogits(logits, options, 1)).view(options);
    expect(view.candidates[0]).toMatchObject({ id: 1, sampled: 0 });
    expect(kept(view)).toEqual(new Set([2, 5]));
    expect(kept(view)).toEqual(drawn(options, 1));
  });
});

/** The sampler's rule written the slow, obvious way: sort all, cut to top-k, then the nucleus, normalise. */
function referenceDistribution(raw: number[], options: SampleOptions): Map<number, number> {
  const logits = Float32Array.from(raw); // as the model hands them over
  let ids = raw.map((_, i) => i).sort((a, b) => logits[b] - logits[a] || a - b);
  if (options.temperature <= 0 || options.topK === 1) return new Map([[ids[0], 1]]);
  if (options.topK > 0) ids = ids.slice(0, options.topK);
  const weights = ids.map((id) => Math.exp((logits[id] - logits[ids[0]]) / options.temperature));
  const total = weights.reduce((a, b) => a + b, 0);
  let count = ids.length;
  if (options.topP > 0 && options.topP < 1) {
    let mass = 0;
    count = 0;
    while (count < ids.length && mass < options.topP * total) mass += weights[count++];
    count = Math.max(1, count);
  }
  const kept = weights.slice(0, count).reduce((a, b) => a + b, 0);
  return new Map(ids.slice(0, count).map((id, i) => [id, weights[i] / kept]));
}

describe('token labels', () => {
  it('show bytes that are not valid UTF-8 alone as <0xNN>', () => {
    expect(labelFromBytes(Uint8Array.of(0xe2))).toBe('<0xE2>');
    expect(labelFromBytes(Uint8Array.of(0xe2, 0x82, 0xac))).toBe('€');
    expect(labelFromBytes(Uint8Array.of(0x61, 0xe2, 0x82, 0x62))).toBe('a<0xE2><0x82>b');
    expect(labelFromBytes(Uint8Array.of(0xc0, 0xaf))).toBe('<0xC0><0xAF>');
    const bytes = { ...fakeTokenizer(3), tokenBytes: (id: number) => Uint8Array.of(0xf0, 0x9f, 0x98, 0x80).subarray(0, id + 2) };
    expect(tokenLabel(bytes, 2)).toBe('😀');
    expect(tokenLabel(bytes, 0)).toBe('<0xF0><0x9F>');
    expect(tokenLabel(fakeTokenizer(3), 1)).toBe('b');
  });
});
