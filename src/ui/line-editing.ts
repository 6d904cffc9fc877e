// Editing the input line, one key at a time, as a pure function. The editor keeps its state in a ref
// and applies keys to it synchronously, so keys that arrive before React renders are never dropped.
import type { KeyEvent } from './keys.js';

export interface LineState {
  value: string;
  /** 0..value.length, in UTF-16 units, never inside a surrogate pair. */
  cursor: number;
}

export const EMPTY_LINE: LineState = { value: '', cursor: 0 };

export interface KeyResult {
  state: LineState;
  /** Set when the key sends the line. */
  submit?: string;
}

export function lineAt(value: string): LineState {
  return { value, cursor: value.length };
}

/** Apply one key. Keys the editor does not own (Up/Down/Tab/Esc/Ctrl-C/Ctrl-D on empty) return the state unchanged. */
export function applyKey(state: LineState, key: KeyEvent): KeyResult {
  const { value, cursor } = state;
  switch (key.type) {
    case 'text':
    case 'paste':
      return { state: insert(state, key.text) };
    case 'ctrl':
      return { state: ctrlKey(state, key.letter) };
    case 'meta':
      if (key.char === 'b') return { state: { value, cursor: wordLeft(value, cursor) } };
      if (key.char === 'f') return { state: { value, cursor: wordRight(value, cursor) } };
      return { state };
  }
  switch (key.name) {
    case 'return':
      // Alt-Enter starts a new line inside the prompt; Enter sends it.
      if (key.meta) return { state: insert(state, '\n') };
      return { state: EMPTY_LINE, submit: value };
    case 'left':
      return { state: { value, cursor: key.ctrl || key.meta ? wordLeft(value, cursor) : prev(value, cursor) } };
    case 'right':
      return { state: { value, cursor: key.ctrl || key.meta ? wordRight(value, cursor) : next(value, cursor) } };
    case 'home':
      return { state: { value, cursor: 0 } };
    case 'end':
      return { state: { value, cursor: value.length } };
    case 'backspace':
      return { state: key.meta ? deleteWordLeft(state) : eraseRange(state, prev(value, cursor), cursor) };
    case 'delete':
      return { state: eraseRange(state, cursor, next(value, cursor)) };
    default:
      return { state };
  }
}

/** Shell-like line keys; other Ctrl combinations type nothing. */
function ctrlKey(state: LineState, letter: string): LineState {
  const { value, cursor } = state;
  switch (letter) {
    case 'a':
      return { value, cursor: 0 };
    case 'e':
      return { value, cursor: value.length };
    case 'b':
      return { value, cursor: prev(value, cursor) };
    case 'f':
      return { value, cursor: next(value, cursor) };
    case 'd':
      return eraseRange(state, cursor, next(value, cursor));
    case 'u':
      return { value: value.slice(cursor), cursor: 0 };
    case 'k':
      return { value: value.slice(0, cursor), cursor };
    case 'w':
      return deleteWordLeft(state);
    default:
      return state;
  }
}

function insert({ value, cursor }: LineState, text: string): LineState {
  if (text === '') return { value, cursor };
  return { value: value.slice(0, cursor) + text + value.slice(cursor), cursor: cursor + text.length };
}

function eraseRange(state: LineState, from: number, to: number): LineState {
  if (from === to) return state;
  return { value: state.value.slice(0, from) + state.value.slice(to), cursor: from };
}

function deleteWordLeft({ value, cursor }: LineState): LineState {
  const start = value.slice(0, cursor).replace(/\S+\s*$/, '').length;
  return { value: value.slice(0, start) + value.slice(cursor), cursor: start };
}

function wordLeft(value: string, cursor: number): number {
  return value.slice(0, cursor).replace(/\S+\s*$/, '').length;
}

function wordRight(value: string, cursor: number): number {
  const m = /^\s*\S+/.exec(value.slice(cursor));
  return cursor + (m ? m[0].length : value.length - cursor);
}

/** One character left or right, stepping over a surrogate pair as one. */
function prev(value: string, cursor: number): number {
  if (cursor <= 0) return 0;
  const low = value.charCodeAt(cursor - 1);
  return low >= 0xdc00 && low <= 0xdfff && cursor >= 2 ? cursor - 2 : cursor - 1;
}

function next(value: string, cursor: number): number {
  if (cursor >= value.length) return value.length;
  const high = value.charCodeAt(cursor);
  return high >= 0xd800 && high <= 0xdbff && cursor + 2 <= value.length ? cursor + 2 : cursor + 1;
}
