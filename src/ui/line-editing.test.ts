import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import { applyKey, EMPTY_LINE, lineAt, type LineState } from './line-editing.js';

const none: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false,
};
const press = (state: LineState, input: string, key: Partial<Key> = {}) => applyKey(state, input, { ...none, ...key });

describe('applyKey', () => {
  it('inserts at the cursor and moves it', () => {
    let s = press(EMPTY_LINE, 'ac').state;
    s = press(s, '', { leftArrow: true }).state;
    s = press(s, 'b').state;
    expect(s).toEqual({ value: 'abc', cursor: 2 });
  });

  it('sends the line on Enter, and on text that ends with a line break', () => {
    expect(press(lineAt('hi'), '', { return: true })).toEqual({ state: EMPTY_LINE, submit: 'hi' });
    expect(press(lineAt('say '), 'hello\r')).toEqual({ state: EMPTY_LINE, submit: 'say hello' });
    expect(press(EMPTY_LINE, 'one\r\ntwo\r\n')).toEqual({ state: EMPTY_LINE, submit: 'one\ntwo' });
  });

  it('keeps a multi-line paste as one input until Enter', () => {
    const { state, submit } = press(EMPTY_LINE, 'one\rtwo');
    expect(submit).toBeUndefined();
    expect(state).toEqual({ value: 'one\ntwo', cursor: 7 });
  });

  it('erases and kills like a shell', () => {
    expect(press(lineAt('abc'), '', { delete: true }).state).toEqual({ value: 'ab', cursor: 2 });
    expect(press({ value: 'abc', cursor: 0 }, '', { backspace: true }).state).toEqual({ value: 'abc', cursor: 0 });
    expect(press(lineAt('the cat sat'), 'w', { ctrl: true }).state).toEqual({ value: 'the cat ', cursor: 8 });
    expect(press({ value: 'the cat', cursor: 3 }, 'k', { ctrl: true }).state).toEqual({ value: 'the', cursor: 3 });
    expect(press({ value: 'the cat', cursor: 4 }, 'u', { ctrl: true }).state).toEqual({ value: 'cat', cursor: 0 });
  });

  it('leaves keys it does not own alone', () => {
    const s = lineAt('x');
    for (const key of [{ upArrow: true }, { tab: true }, { escape: true }, { meta: true }]) expect(press(s, '', key).state).toBe(s);
    expect(press(s, 'q', { ctrl: true }).state).toEqual(s);
  });
});
