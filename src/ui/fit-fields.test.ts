import { describe, expect, it } from 'vitest';
import { fitFields, type Field } from './fit-fields.js';

const fields: Field[] = [
  { text: 'model (gpt, 1M params)', short: 'model', rank: 0, shortRank: 1 },
  { text: 'backend wasm', rank: 3 },
  { text: 'train loss 2.3', short: 'train 2.3', rank: 1, shortRank: 5 },
  { text: 'seed random', short: 'seed –', rank: 4 },
];
const shown = (width: number) => fitFields(fields, width, ' | ').map((f) => f.shown).join(' | ');

describe('fitFields', () => {
  it('keeps everything that fits', () => {
    expect(shown(200)).toBe('model (gpt, 1M params) | backend wasm | train loss 2.3 | seed random');
  });

  it('gives way from the least important: abbreviates a rank, then drops it, keeping the order', () => {
    expect(shown(64)).toBe('model (gpt, 1M params) | backend wasm | train 2.3 | seed random');
    expect(shown(59)).toBe('model (gpt, 1M params) | backend wasm | train 2.3 | seed –');
    expect(shown(50)).toBe('model (gpt, 1M params) | backend wasm | train 2.3');
    expect(shown(35)).toBe('model (gpt, 1M params) | train 2.3');
    expect(shown(30)).toBe('model | train 2.3');
    expect(shown(20)).toBe('model | train 2.3');
    expect(shown(3)).toBe('model');
  });
});
