// Editing the input line, one key at a time, as a pure function. The editor keeps its state in a ref
// and applies keys to it synchronously: ink-text-input reads its value from the last render, so when
// several chunks arrive before React renders (a busy moment, a paste split by the terminal), it
// drops keys and can send an empty line.
import type { Key } from 'ink';

export interface LineState {
  value: string;
  /** 0..value.length, in UTF-16 units. */
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

/** Apply one key (or pasted chunk). Keys the editor does not own (Up/Down/Tab/Esc/Ctrl-C) return the state unchanged. */
export function applyKey(state: LineState, input: string, key: Key): KeyResult {
  const { value, cursor } = state;
  if (key.return) return { state: EMPTY_LINE, submit: value };
  if (key.leftArrow) return { state: { value, cursor: Math.max(0, cursor - 1) } };
  if (key.rightArrow) return { state: { value, cursor: Math.min(value.length, cursor + 1) } };
  if (key.home) return { state: { value, cursor: 0 } };
  if (key.end) return { state: { value, cursor: value.length } };
  // Terminals send Backspace as DEL, which Ink reports as `delete`: both erase to the left.
  if (key.backspace || key.delete) {
    if (cursor === 0) return { state };
    return { state: { value: value.slice(0, cursor - 1) + value.slice(cursor), cursor: cursor - 1 } };
  }
  if (key.ctrl) return { state: ctrlKey(state, input) };
  if (key.meta || key.upArrow || key.downArrow || key.tab || key.escape || input === '') return { state };
  return insert(state, input);
}

/** Shell-like line keys; other Ctrl combinations type nothing. */
function ctrlKey({ value, cursor }: LineState, input: string): LineState {
  switch (input) {
    case 'a':
      return { value, cursor: 0 };
    case 'e':
      return { value, cursor: value.length };
    case 'u':
      return { value: value.slice(cursor), cursor: 0 };
    case 'k':
      return { value: value.slice(0, cursor), cursor };
    case 'w': {
      const start = value.slice(0, cursor).replace(/\S+\s*$/, '').length;
      return { value: value.slice(0, start) + value.slice(cursor), cursor: start };
    }
    default:
      return { value, cursor };
  }
}

/**
 * Typed or pasted text. CR/LF inside it is Enter when it ends the chunk (text and Enter read
 * together); line breaks inside a paste stay, so a multi-line paste is one input.
 */
function insert({ value, cursor }: LineState, text: string): KeyResult {
  const typed = text.replace(/\r\n?/g, '\n');
  const next = value.slice(0, cursor) + typed + value.slice(cursor);
  if (typed.endsWith('\n') && cursor === value.length) return { state: EMPTY_LINE, submit: next.replace(/\n+$/, '') };
  return { state: { value: next, cursor: cursor + typed.length } };
}
