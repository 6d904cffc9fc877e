import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { Transcript } from './Transcript.js';
import type { Turn } from './types.js';

const turns: Turn[] = [
  { id: 1, kind: 'user', text: 'ROMEO:' },
  { id: 2, kind: 'reply', model: 'shakes-gpt', text: ' What light', tokensPerSec: 33.25, stopped: false },
  { id: 3, kind: 'command', text: '/set temperature 0.5' },
  { id: 4, kind: 'output', text: 'temperature = 0.5' },
  { id: 5, kind: 'error', text: 'unknown command /foo' },
  { id: 6, kind: 'info', text: 'Loaded beta' },
  { id: 7, kind: 'reply', model: 'beta', text: ' half', tokensPerSec: 5, stopped: true },
];

describe('Transcript', () => {
  it('shows every kind of turn, and which model wrote each reply', () => {
    const frame = render(<Transcript turns={turns} generation={0} width={100} />).lastFrame()!;
    expect(frame).toMatch(/you › ROMEO:/);
    expect(frame).toMatch(/shakes-gpt · 33\.3 tok\/s/);
    expect(frame).toContain(' What light');
    expect(frame).toContain('› /set temperature 0.5');
    expect(frame).toContain('temperature = 0.5');
    expect(frame).toContain('✗ unknown command /foo');
    expect(frame).toContain('• Loaded beta');
    expect(frame).toMatch(/beta · 5\.0 tok\/s · stopped/);
  });

  it('wraps a long prompt at the width with a hanging indent, keeping the space after the mark', () => {
    const text = 'It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife.';
    const frame = render(<Transcript turns={[{ id: 1, kind: 'user', text }]} generation={0} width={40} />).lastFrame()!;
    const lines = frame.split('\n').filter((l) => l.trim() !== '');
    for (const line of lines) expect(line.length).toBeLessThan(40);
    expect(lines[0]).toMatch(/^you › It is a truth/);
    for (const line of lines.slice(1)) expect(line).toMatch(/^ {6}\S/);
    expect(lines.map((l) => l.slice(6)).join(' ')).toBe(text);
  });

  it('wraps long notes, errors and output under their mark, never starting a row with a space', () => {
    const text = 'fine-tuning tg into tg-lora on shakespeare (808,103 tokens, 0.0% unknown to the base vocabulary), lr 0.0003, LoRA rank 8';
    const kinds = [
      { kind: 'info' as const, mark: '• ' },
      { kind: 'error' as const, mark: '✗ ' },
      { kind: 'output' as const, mark: '' },
    ];
    for (const { kind, mark } of kinds) {
      const frame = render(<Transcript turns={[{ id: 1, kind, text }]} generation={0} width={40} />).lastFrame()!;
      const lines = frame.split('\n').filter((l) => l.trim() !== '');
      expect(lines.length).toBeGreaterThan(2);
      for (const line of lines) expect(line.length).toBeLessThan(40);
      expect(lines[0]!.startsWith(`${mark}fine-tuning`)).toBe(true);
      for (const line of lines.slice(1)) expect(line.slice(mark.length)).toMatch(/^\S/);
      expect(lines.map((l, i) => (i === 0 ? l.slice(mark.length) : l.slice(mark.length))).join(' ')).toBe(text);
    }
  });

  it("wraps a help list's rows under their description, and other lines as before", () => {
    const text = ['Keys:', '  Enter       send (sent while a reply streams, it waits as "queued ›" and goes next)', '  Esc         stop the reply', '- a bullet that runs on past the edge of a narrow terminal', 'settings: temperature 0  top-k 40  top-p 0.95  max-tokens 200', 'Quitting saves the conversation in the config folder, under conversations/.'].join('\n');
    const frame = render(<Transcript turns={[{ id: 1, kind: 'output', text }]} generation={0} width={40} />).lastFrame()!;
    const lines = frame.split('\n').filter((l) => l.trim() !== '');
    for (const line of lines) expect(line.length).toBeLessThan(40);
    const enter = lines.findIndex((l) => l.startsWith('  Enter       send'));
    const esc = lines.findIndex((l) => l.startsWith('  Esc '));
    expect(esc - enter).toBeGreaterThan(2);
    for (const line of lines.slice(enter + 1, esc)) expect(line).toMatch(/^ {14}\S/);
    const bullet = lines.findIndex((l) => l.startsWith('- a bullet'));
    expect(lines[bullet + 1]).toMatch(/^ {2}\S/);
    // a line at the edge keeps its rows at the edge, double spaces or not
    const settings = lines.findIndex((l) => l.startsWith('settings:'));
    expect(lines[settings + 1]).toMatch(/^\S/);
    expect(lines[lines.length - 1]).toMatch(/^\S/);
    expect(lines.join(' ').replace(/ +/g, ' ')).toBe(text.replace(/\n/g, ' ').replace(/ +/g, ' '));
  });

  it('writes new turns after the old ones', () => {
    const app = render(<Transcript turns={turns.slice(0, 1)} generation={0} width={100} />);
    app.rerender(<Transcript turns={turns.slice(0, 2)} generation={0} width={100} />);
    const frame = app.lastFrame()!;
    expect(frame.indexOf('ROMEO:')).toBeLessThan(frame.indexOf('What light'));
  });
});
