import { describe, expect, it } from 'vitest';
import { cleanPaste, KeyParser, type KeyEvent } from './keys.js';

const parse = (...chunks: string[]): KeyEvent[] => {
  const p = new KeyParser();
  return chunks.flatMap((c) => p.push(c));
};

describe('KeyParser', () => {
  it('splits a chunk of several keys: text, Backspace, Enter', () => {
    expect(parse('hello wo\x7f\x7frld\r/max 120\rgrep')).toEqual([
      { type: 'text', text: 'hello wo' },
      { type: 'key', name: 'backspace' },
      { type: 'key', name: 'backspace' },
      { type: 'text', text: 'rld' },
      { type: 'key', name: 'return' },
      { type: 'text', text: '/max 120' },
      { type: 'key', name: 'return' },
      { type: 'text', text: 'grep' },
    ]);
  });

  it('reads arrows, Home/End, Delete, Tab and a lone Esc', () => {
    expect(parse('\x1b[A\x1b[B\x1bOC\x1b[D\x1b[H\x1b[4~\x1b[3~\t', '\x1b')).toEqual(
      ['up', 'down', 'right', 'left', 'home', 'end', 'delete', 'tab', 'escape'].map((name) => ({ type: 'key', name })),
    );
    expect(parse('\x1b[1;5D')).toEqual([{ type: 'key', name: 'left', ctrl: true }]);
  });

  it('drops colour codes and other escape sequences, keeping the text around them', () => {
    expect(parse('x \x1b[31mred\x1b[0m')).toEqual([{ type: 'text', text: 'x red' }]);
    expect(parse('a\x1b]0;title\x07b\x1bP1$r\x1b\\c\x1b[?25l')).toEqual([{ type: 'text', text: 'abc' }]);
    // A sequence cut off at the end of a chunk is dropped, not typed.
    expect(parse('x\x1b[31')).toEqual([{ type: 'text', text: 'x' }]);
  });

  it('lets no control byte through as text (NUL through DEL)', () => {
    const all = Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)).join('') + '\x7f\x85\x9b';
    const texts = parse(all).filter((k) => k.type === 'text' || k.type === 'paste');
    expect(texts).toEqual([]);
    expect(parse('\x03')).toEqual([{ type: 'ctrl', letter: 'c' }]);
    expect(parse('\x04')).toEqual([{ type: 'ctrl', letter: 'd' }]);
  });

  it('keeps a bracketed paste as one paste event with its line breaks, across chunks', () => {
    const p = new KeyParser();
    expect(p.push('\x1b[200~')).toEqual([]);
    expect(p.push('line one\r\nline two\r')).toEqual([]);
    expect(p.pasting).toBe(true);
    expect(p.push('\x1b[31mred\x1b[0m\x1b[201~')).toEqual([{ type: 'paste', text: 'line one\nline two\nred' }]);
    expect(p.pasting).toBe(false);
    expect(p.push('\r')).toEqual([{ type: 'key', name: 'return' }]);
  });

  it('ends a paste whose end marker never comes, on request', () => {
    const p = new KeyParser();
    p.push('\x1b[200~stray');
    expect(p.endPaste()).toEqual([{ type: 'paste', text: 'stray' }]);
    expect(p.push('\r')).toEqual([{ type: 'key', name: 'return' }]);
    // An end marker with no start is dropped.
    expect(parse('\x1b[201~ok')).toEqual([{ type: 'text', text: 'ok' }]);
  });

  it('reads Alt keys and CR LF as one Enter', () => {
    expect(parse('\x1bb\x1b\x7f\r\n')).toEqual([
      { type: 'meta', char: 'b' },
      { type: 'key', name: 'backspace', meta: true },
      { type: 'key', name: 'return' },
    ]);
  });
});

describe('cleanPaste', () => {
  it('keeps text and line breaks, turns tabs to spaces, drops the rest', () => {
    expect(cleanPaste('a\tb\r\nc\x00\x1b[1md\x7f')).toBe('a    b\ncd');
  });
});
