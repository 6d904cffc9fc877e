import { render } from 'ink-testing-library';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import type { NextTokenProbs, TokenProbs } from '../../engine/types.js';
import { transcriptToMarkdown } from '../transcript-markdown.js';
import { ProbsPanel } from './ProbsPanel.js';
import { ProbsLegend, ProbsText } from './ProbsText.js';
import { bandOf, colourSupported, visibleLabel } from './style.js';

const probs: NextTokenProbs = {
  candidates: [
    { id: 1, label: ' ', logprob: Math.log(0.6), sampled: 0.7 },
    { id: 2, label: 'e', logprob: Math.log(0.3), sampled: 0.3 },
    { id: 3, label: '\n', logprob: Math.log(0.1), sampled: 0 },
  ],
  entropy: 0.8979,
  sampledEntropy: 0.6109,
  kept: 2,
};
const settings = { maxTokens: 10, temperature: 0.7, topK: 2, topP: 1 };
const token = (text: string, sampled: number): TokenProbs => ({ ...probs, text, chosen: { id: 9, label: text, logprob: Math.log(sampled), sampled } });

describe('the /next panel', () => {
  it('shows bars before and after the settings, greys the cut tokens and gives the entropy in bits', () => {
    const frame = render(<ProbsPanel panel={{ kind: 'next', prompt: 'The king', probs, settings, busy: false, error: null }} width={80} />).lastFrame()!;
    expect(frame).toContain('next token after "The king"');
    expect(frame).toContain('T 0.7 · top-k 2');
    expect(frame).toMatch(/␣ +█+.* 60% │ █+.* 70%/);
    expect(frame).toMatch(/↵ +█.* 10% │ cut/);
    expect(frame).toContain('entropy 1.30 bits → 0.88 as sampled · 2 tokens can be drawn');
  });

  it('fits 60 columns', () => {
    const frame = render(<ProbsPanel panel={{ kind: 'next', prompt: 'x'.repeat(200), probs, settings, busy: true, error: null }} width={60} />).lastFrame()!;
    for (const line of frame.split('\n')) expect(stringWidth(line)).toBeLessThanOrEqual(60);
    expect(frame).toContain('…xxx');
  });
});

describe('the /step panel', () => {
  it('shows the text so far, the highlighted candidate and the keys', () => {
    const panel = { kind: 'step' as const, prompt: 'The', tokens: [token(' k', 0.5)], probs, settings, highlighted: 1, busy: false, error: null };
    const frame = render(<ProbsPanel panel={panel} width={70} />).lastFrame()!;
    expect(frame).toContain('step The k');
    expect(frame).toMatch(/▸ e /);
    expect(frame).toContain('↑↓ choose · Enter accept · Space sample · ⌫ undo · Esc done');
  });
});

describe('/inspect', () => {
  it('marks the token under the cursor and lists its alternatives with the chosen one ticked', () => {
    const tokens = [token('a', 0.9), { ...token('b', 0.3), chosen: { id: 2, label: 'b', logprob: Math.log(0.3), sampled: 0.3 } }];
    const frame = render(<ProbsPanel panel={{ kind: 'inspect', tokens, cursor: 1 }} width={70} />).lastFrame()!;
    expect(frame).toContain('token 2/2 "b" · p 30% as sampled · 30% model');
    // Tests render without colour: the cursor token is bracketed.
    expect(frame).toContain('a⟦b⟧');
    expect(frame).toMatch(/✓ e /);
    expect(frame).toContain('as sampled');
  });
});

describe('probability colouring', () => {
  it('without colour, brackets the unlikely tokens and keeps the text readable', () => {
    const tokens = [token('The', 0.9), token(' cat', 0.3), token(' sat', 0.1), token(' zz', 0.01)];
    expect(render(<ProbsText tokens={tokens} colour={false} />).lastFrame()).toBe('The cat( sat)[ zz]');
    expect(render(<ProbsLegend colour={false} />).lastFrame()).toContain('[token] under 5%');
  });

  it('with colour, the same text, in bands', () => {
    const tokens = [token('The', 0.9), token(' zz', 0.01)];
    expect(render(<ProbsText tokens={tokens} colour />).lastFrame()).toBe('The zz');
    expect([0.9, 0.3, 0.1, 0.01].map((p) => bandOf(p).colour)).toEqual(['green', 'cyan', 'yellow', 'red']);
  });

  it('follows NO_COLOR, and FORCE_COLOR off a terminal', () => {
    const tty = { isTTY: true, hasColors: () => true } as unknown as NodeJS.WriteStream;
    const pipe = {} as NodeJS.WriteStream;
    expect(colourSupported(tty, {})).toBe(true);
    expect(colourSupported(tty, { NO_COLOR: '1' })).toBe(false);
    expect(colourSupported(pipe, {})).toBe(false);
    expect(colourSupported(pipe, { FORCE_COLOR: '1' })).toBe(true);
  });

  it('shows invisible tokens', () => {
    expect(visibleLabel(' a\n\t')).toBe('␣a↵⇥');
    expect(visibleLabel('')).toBe('∅');
  });
});

describe('/save with probabilities', () => {
  it('keeps each token with its probabilities in a folded table under the reply', () => {
    const md = transcriptToMarkdown([
      { id: 1, kind: 'reply', model: 'm', text: 'a|b', tokensPerSec: 3, stopped: false, stepped: true, tokens: [token('a', 0.5), token('|b', 0.25)] },
    ]);
    expect(md).toContain('**m** (stepped by hand):');
    expect(md).toContain('<details><summary>Token probabilities</summary>');
    expect(md).toContain('| 1 | `a` | 50.0% | 50.0% | ` ` 60.0%, `e` 30.0%, `\\n` 10.0% |');
    expect(md).toContain('| 2 | `\\|b` | 25.0% | 25.0% |');
  });
});
