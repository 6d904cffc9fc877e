import { describe, expect, it } from 'vitest';
import { explainAbort } from './client.js';

describe('a wasm abort in a worker', () => {
  it('is told in one line, saying the last checkpoint is kept and what to try', () => {
    const raw = 'Aborted(). Build with -sASSERTIONS for more info.';
    expect(explainAbort(raw, 'train')).toBe('the wasm backend ran out of memory (Aborted()): training stopped; the last saved checkpoint is kept — try a smaller --batch, context or model');
    expect(explainAbort(raw, 'eval')).toMatch(/^the wasm backend ran out of memory \(Aborted\(\)\): evaluation stopped/);
    expect(explainAbort('model x is missing manifest.json', 'eval')).toBe('model x is missing manifest.json');
  });
});
