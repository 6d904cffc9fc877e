// Terminal input as keys, as a pure parser. A chunk read from the terminal can hold many keys (a busy
// moment, a fast typist, a paste): it is split and each key applied, so Backspace erases, Enter ends a
// submission and nothing else reaches a prompt. Escape sequences the chat does not know (colours copied
// from a terminal, OSC titles), and control bytes, are dropped. Bracketed paste (ESC[200~ … ESC[201~)
// arrives as one paste event whose line breaks are text.

export type KeyName =
  | 'return'
  | 'backspace'
  | 'delete'
  | 'tab'
  | 'escape'
  | 'up'
  | 'down'
  | 'left'
  | 'right'
  | 'home'
  | 'end'
  | 'pageup'
  | 'pagedown';

export type KeyEvent =
  /** Typed text: printable characters only. */
  | { type: 'text'; text: string }
  /** Bracketed-paste text: printable characters and '\n'. */
  | { type: 'paste'; text: string }
  | { type: 'key'; name: KeyName; ctrl?: boolean; meta?: boolean }
  /** Ctrl with a letter (Ctrl-C is `{ type: 'ctrl', letter: 'c' }`). */
  | { type: 'ctrl'; letter: string }
  /** Alt (Meta) with a printable character, e.g. Alt-b. */
  | { type: 'meta'; char: string };

const ESC = '\u001B';
const PASTE_START = `${ESC}[200~`;
const PASTE_END = `${ESC}[201~`;
const TAB_AS_SPACES = '    ';

const CSI_LETTER: Record<string, KeyName> = { A: 'up', B: 'down', C: 'right', D: 'left', H: 'home', F: 'end' };
const CSI_TILDE: Record<string, KeyName> = { '1': 'home', '7': 'home', '4': 'end', '8': 'end', '3': 'delete', '5': 'pageup', '6': 'pagedown' };

/**
 * Splits chunks into keys. Chunks come from Ink's reader, which already holds back an escape sequence
 * split across reads and sends a lone ESC on its own, so each chunk is parsed as complete; only the
 * paste state carries over from one chunk to the next.
 */
export class KeyParser {
  private paste: string | null = null;

  /** True between a paste's start marker and its end. */
  get pasting(): boolean {
    return this.paste !== null;
  }

  push(chunk: string): KeyEvent[] {
    const events: KeyEvent[] = [];
    let text = '';
    const flushText = () => {
      if (text !== '') events.push({ type: 'text', text });
      text = '';
    };
    let i = 0;
    while (i < chunk.length) {
      if (this.paste !== null) {
        const end = chunk.indexOf(PASTE_END, i);
        this.paste += chunk.slice(i, end === -1 ? chunk.length : end);
        if (end === -1) break;
        events.push(...this.endPaste());
        i = end + PASTE_END.length;
        continue;
      }
      const c = chunk[i]!;
      const code = c.charCodeAt(0);
      if (c === ESC) {
        if (chunk.startsWith(PASTE_START, i)) {
          flushText();
          this.paste = '';
          i += PASTE_START.length;
          continue;
        }
        const { key, next } = escapeSequence(chunk, i);
        if (key) {
          flushText();
          events.push(key);
        }
        i = next;
        continue;
      }
      if (code < 0x20 || code === 0x7f) {
        const key = controlKey(code);
        if (key) {
          flushText();
          events.push(key);
        }
        // CR LF is one Enter.
        i += c === '\r' && chunk[i + 1] === '\n' ? 2 : 1;
        continue;
      }
      // C1 controls (8-bit CSI and friends) and lone surrogates never reach a prompt.
      if (!isC1(code) && !isLoneSurrogate(chunk, i)) text += c;
      i++;
    }
    flushText();
    return events;
  }

  /** End a paste whose end marker never came (a stray start marker); returns what it held. */
  endPaste(): KeyEvent[] {
    if (this.paste === null) return [];
    const text = cleanPaste(this.paste);
    this.paste = null;
    return text === '' ? [] : [{ type: 'paste', text }];
  }
}

/** Pasted text as the prompt keeps it: line breaks as '\n', tabs as spaces, nothing else invisible. */
export function cleanPaste(raw: string): string {
  let out = '';
  const s = raw.replace(/\r\n?/g, '\n');
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    const code = c.charCodeAt(0);
    if (c === ESC) {
      i = escapeSequence(s, i).next;
      continue;
    }
    if (c === '\n') out += c;
    else if (c === '\t') out += TAB_AS_SPACES;
    else if (code >= 0x20 && code !== 0x7f && !isC1(code) && !isLoneSurrogate(s, i)) out += c;
    i++;
  }
  return out;
}

function isC1(code: number): boolean {
  return code >= 0x80 && code <= 0x9f;
}

function isLoneSurrogate(s: string, i: number): boolean {
  const code = s.charCodeAt(i);
  if (code >= 0xd800 && code <= 0xdbff) {
    const next = s.charCodeAt(i + 1);
    return !(next >= 0xdc00 && next <= 0xdfff);
  }
  if (code >= 0xdc00 && code <= 0xdfff) {
    const prev = s.charCodeAt(i - 1);
    return !(prev >= 0xd800 && prev <= 0xdbff);
  }
  return false;
}

function controlKey(code: number): KeyEvent | null {
  switch (code) {
    case 0x0d:
    case 0x0a:
      return { type: 'key', name: 'return' };
    case 0x09:
      return { type: 'key', name: 'tab' };
    case 0x7f:
    case 0x08:
      return { type: 'key', name: 'backspace' };
    default:
      // Ctrl-A..Ctrl-Z; NUL and 0x1C-0x1F type nothing.
      return code >= 0x01 && code <= 0x1a ? { type: 'ctrl', letter: String.fromCharCode(code + 0x60) } : null;
  }
}

/** The key an escape sequence starting at `start` stands for (null: dropped), and where it ends. */
function escapeSequence(s: string, start: number): { key: KeyEvent | null; next: number } {
  const kind = s[start + 1];
  if (kind === undefined) return { key: { type: 'key', name: 'escape' }, next: start + 1 };
  if (kind === '[') return csi(s, start);
  if (kind === 'O') {
    const final = s[start + 2];
    if (final === undefined) return { key: null, next: start + 2 };
    const name = CSI_LETTER[final];
    return { key: name ? { type: 'key', name } : null, next: start + 3 };
  }
  // OSC, DCS, SOS, PM, APC: a string up to BEL or ESC \ (or the chunk's end), never shown.
  if (']PX^_'.includes(kind)) {
    const bel = s.indexOf('\u0007', start + 2);
    const st = s.indexOf(`${ESC}\\`, start + 2);
    const ends = [bel === -1 ? Infinity : bel + 1, st === -1 ? Infinity : st + 2];
    const next = Math.min(...ends);
    return { key: null, next: next === Infinity ? s.length : next };
  }
  if (kind === ESC) {
    // ESC ESC [A and the like: Alt with a special key; Alt is dropped. A lone ESC ESC is one Escape.
    if (s[start + 2] === '[' || s[start + 2] === 'O') {
      const inner = escapeSequence(s, start + 1);
      return { key: inner.key && inner.key.type === 'key' ? { ...inner.key, meta: true } : inner.key, next: inner.next };
    }
    return { key: { type: 'key', name: 'escape' }, next: start + 1 };
  }
  const code = kind.charCodeAt(0);
  if (code === 0x7f || code === 0x08) return { key: { type: 'key', name: 'backspace', meta: true }, next: start + 2 };
  if (code === 0x0d) return { key: { type: 'key', name: 'return', meta: true }, next: start + 2 };
  if (code < 0x20 || isC1(code)) return { key: null, next: start + 2 };
  const width = code >= 0xd800 && code <= 0xdbff ? 2 : 1;
  return { key: { type: 'meta', char: s.slice(start + 1, start + 1 + width) }, next: start + 1 + width };
}

/** ESC [ params intermediates final. Unknown or malformed sequences are dropped whole. */
function csi(s: string, start: number): { key: KeyEvent | null; next: number } {
  let i = start + 2;
  // Linux console function keys: ESC [ [ A.
  if (s[i] === '[') i++;
  const paramsStart = i;
  while (i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x3f) i++;
  const params = s.slice(paramsStart, i);
  while (i < s.length && s.charCodeAt(i) >= 0x20 && s.charCodeAt(i) <= 0x2f) i++;
  const finalCode = s.charCodeAt(i);
  if (!(finalCode >= 0x40 && finalCode <= 0x7e)) return { key: null, next: i };
  const final = s[i]!;
  const next = i + 1;
  const [first = '', modifier = '1'] = params.split(';');
  const mods = Math.max(0, Number(modifier) - 1);
  const flags = { ...(mods & 4 ? { ctrl: true } : {}), ...(mods & 2 ? { meta: true } : {}) };
  const name = final === '~' ? CSI_TILDE[first] : params.startsWith('?') ? undefined : CSI_LETTER[final];
  if (final === 'Z') return { key: { type: 'key', name: 'tab' }, next };
  return { key: name ? { type: 'key', name, ...flags } : null, next };
}
