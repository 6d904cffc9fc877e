import { describe, expect, it } from 'vitest';
import type { KeyEvent, KeyName } from './keys.js';
import { applyKey, EMPTY_LINE, lineAt, type LineState } from './line-editing.js';

const key = (name: KeyName, mods: { ctrl?: boolean; meta?: boolean } = {}): KeyEvent => ({ type: 'key', name, ...mods });
const text = (t: string): KeyEvent => ({ type: 'text', text: t });
const ctrl = (letter: string): KeyEvent => ({ type: 'ctrl', letter });
const run = (state: LineState, ...keys: KeyEvent[]) => keys.reduce((s, k) => applyKey(s, k).state, state);

describe('applyKey', () => {
  it('inserts at the cursor and moves it', () => {
    expect(run(EMPTY_LINE, text('ac'), key('left'), text('b'))).toEqual({ value: 'abc', cursor: 2 });
  });

  it('sends the line on Enter; Alt-Enter and a paste keep line breaks in it', () => {
    expect(applyKey(lineAt('hi'), key('return'))).toEqual({ state: EMPTY_LINE, submit: 'hi' });
    expect(run(lineAt('one'), key('return', { meta: true }), text('two'))).toEqual({ value: 'one\ntwo', cursor: 7 });
    expect(run(EMPTY_LINE, { type: 'paste', text: 'one\ntwo' })).toEqual({ value: 'one\ntwo', cursor: 7 });
  });

  it('erases left with Backspace and right with Delete or Ctrl-D, a surrogate pair as one', () => {
    expect(run(lineAt('abc'), key('backspace'))).toEqual({ value: 'ab', cursor: 2 });
    expect(run({ value: 'abc', cursor: 0 }, key('backspace'))).toEqual({ value: 'abc', cursor: 0 });
    expect(run({ value: 'abc', cursor: 1 }, key('delete'))).toEqual({ value: 'ac', cursor: 1 });
    expect(run({ value: 'abc', cursor: 1 }, ctrl('d'))).toEqual({ value: 'ac', cursor: 1 });
    expect(run(lineAt('a😀'), key('backspace'))).toEqual({ value: 'a', cursor: 1 });
    expect(run(lineAt('a😀b'), key('left'), key('left'))).toEqual({ value: 'a😀b', cursor: 1 });
  });

  it('kills and moves by words like a shell', () => {
    expect(run(lineAt('the cat sat'), ctrl('w'))).toEqual({ value: 'the cat ', cursor: 8 });
    expect(run(lineAt('the cat sat'), key('backspace', { meta: true }))).toEqual({ value: 'the cat ', cursor: 8 });
    expect(run({ value: 'the cat', cursor: 3 }, ctrl('k'))).toEqual({ value: 'the', cursor: 3 });
    expect(run({ value: 'the cat', cursor: 4 }, ctrl('u'))).toEqual({ value: 'cat', cursor: 0 });
    expect(run(lineAt('the cat'), key('left', { ctrl: true }))).toEqual({ value: 'the cat', cursor: 4 });
    expect(run({ value: 'the cat', cursor: 0 }, { type: 'meta', char: 'f' })).toEqual({ value: 'the cat', cursor: 3 });
  });

  it('leaves keys it does not own alone', () => {
    const s = lineAt('x');
    for (const k of [key('up'), key('tab'), key('escape'), key('pageup'), ctrl('q'), { type: 'meta', char: 'z' } as KeyEvent]) {
      expect(applyKey(s, k).state).toBe(s);
    }
  });
});
