import { Box } from 'ink';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import stringWidth from 'string-width';
import { DEFAULT_SETTINGS } from './settings-store.js';
import { StatusBar } from './StatusBar.js';
import type { TrainingView } from './types.js';

describe('StatusBar', () => {
  it('shows model, backend, sampling settings and the last speed', () => {
    const frame = render(
      <Box width={200}>
        <StatusBar
        columns={200}
        view={{
          model: { name: 'alpha', arch: 'lstm', params: 1_234_567 },
          backend: 'wasm',
          settings: { ...DEFAULT_SETTINGS, temperature: 0.5, topK: 7, topP: 0.9, maxTokens: 99, seed: 3 },
          lastTokensPerSec: 123.45,
        }}
      />
      </Box>,
    ).lastFrame()!;
    expect(frame).toContain('alpha (lstm, 1.23M params)');
    expect(frame).toContain('wasm');
    for (const part of ['temp 0.5', 'top-k 7', 'top-p 0.9', 'max 99', 'seed 3']) expect(frame).toContain(part);
    expect(frame).toContain('123.5 tok/s');
  });

  it('says when there is no model, no seed and no speed yet', () => {
    const frame = render(<Box width={200}><StatusBar columns={200} view={{ model: null, backend: 'cpu', settings: DEFAULT_SETTINGS, lastTokensPerSec: null }} /></Box>).lastFrame()!;
    expect(frame).toContain('no model');
    expect(frame).toContain('seed random');
    expect(frame).toContain('– tok/s');
  });

  const busy = {
    model: { name: 'gutenberg-gpt', arch: 'gpt', params: 1_234_567 },
    backend: 'wasm + OpenBLAS',
    settings: { ...DEFAULT_SETTINGS, context: true },
    lastTokensPerSec: 97.5,
    training: { name: 'sea', kind: 'finetune', from: 'gpl', running: true, step: 40, totalSteps: 100 } as TrainingView,
  } as const;

  it.each([60, 110, 200])('keeps model, run, context mode and tok/s at %i columns, in one line', (columns) => {
    const frame = render(<Box width={columns}><StatusBar view={busy} columns={columns} /></Box>).lastFrame()!;
    expect(frame.split('\n')).toHaveLength(1);
    expect(stringWidth(frame)).toBeLessThan(columns);
    expect(frame).not.toContain('…');
    for (const part of ['gutenberg-gpt', 'sea 40%', 'on', '97.5 tok/s']) expect(frame).toContain(part);
  });

  it('gives way from the least important field: seed and top-p go before temperature, all show at 200', () => {
    const at = (columns: number) => render(<Box width={columns}><StatusBar view={busy} columns={columns} /></Box>).lastFrame()!;
    expect(at(110)).toContain('temp 0.8');
    expect(at(110)).not.toContain('seed');
    expect(at(200)).toContain('gutenberg-gpt (gpt, 1.23M params)');
    expect(at(200)).toContain('seed random');
  });
});

describe('StatusBar with /context on', () => {
  it('shows how much of the conversation reaches the model', () => {
    const view = { model: { name: 'g', arch: 'gpt' as const, params: 1, reach: 'last 64 chars' }, backend: 'wasm', settings: { ...DEFAULT_SETTINGS, context: true }, lastTokensPerSec: null };
    expect(render(<StatusBar view={view} columns={100} />).lastFrame()).toContain('context: last 64 chars');
    expect(render(<StatusBar view={{ ...view, settings: DEFAULT_SETTINGS }} columns={100} />).lastFrame()).toContain('context off');
  });
});
