import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from './settings-store.js';
import { StatusBar } from './StatusBar.js';

describe('StatusBar', () => {
  it('shows model, backend, sampling settings and the last speed', () => {
    const frame = render(
      <StatusBar
        view={{
          model: { name: 'alpha', arch: 'lstm', params: 1_234_567 },
          backend: 'wasm',
          settings: { ...DEFAULT_SETTINGS, temperature: 0.5, topK: 7, topP: 0.9, maxTokens: 99, seed: 3 },
          lastTokensPerSec: 123.45,
        }}
      />,
    ).lastFrame()!;
    expect(frame).toContain('alpha (lstm, 1.23M params)');
    expect(frame).toContain('wasm');
    expect(frame).toContain('temp 0.5 · top-k 7 · top-p 0.9 · max 99 · seed 3');
    expect(frame).toContain('123.5 tok/s');
  });

  it('says when there is no model, no seed and no speed yet', () => {
    const frame = render(<StatusBar view={{ model: null, backend: 'cpu', settings: DEFAULT_SETTINGS, lastTokensPerSec: null }} />).lastFrame()!;
    expect(frame).toContain('no model');
    expect(frame).toContain('seed random');
    expect(frame).toContain('– tok/s');
  });
});
