// How a single token reads on its own. A byte-level token can hold part of a UTF-8 character; it is
// shown as its bytes (`<0xE2>`) rather than as a replacement character that hides what the model picked.
import type { Tokenizer } from './types.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Valid UTF-8 runs as text, every byte of an invalid run as `<0xNN>`. */
export function labelFromBytes(bytes: Uint8Array): string {
  let out = '';
  let start = 0;
  while (start < bytes.length) {
    const length = validPrefixLength(bytes, start);
    if (length > 0) {
      out += utf8.decode(bytes.subarray(start, start + length));
      start += length;
    } else {
      out += `<0x${bytes[start].toString(16).toUpperCase().padStart(2, '0')}>`;
      start++;
    }
  }
  return out;
}

/** Length of the longest run of whole, valid UTF-8 characters starting at `from`. */
function validPrefixLength(bytes: Uint8Array, from: number): number {
  let at = from;
  while (at < bytes.length) {
    const size = sequenceLength(bytes, at);
    if (size === 0) break;
    at += size;
  }
  return at - from;
}

/** Bytes of the valid UTF-8 character at `at`, or 0 when it is not one (truncated, stray continuation, overlong). */
function sequenceLength(bytes: Uint8Array, at: number): number {
  const first = bytes[at];
  const size = first < 0x80 ? 1 : first >= 0xc2 && first < 0xe0 ? 2 : first >= 0xe0 && first < 0xf0 ? 3 : first >= 0xf0 && first < 0xf5 ? 4 : 0;
  if (size === 0 || at + size > bytes.length) return 0;
  try {
    utf8.decode(bytes.subarray(at, at + size));
    return size;
  } catch {
    return 0;
  }
}

/** Labels made so far, per tokenizer: /probs on labels the top candidates of every token of a reply. */
const labels = new WeakMap<Tokenizer, Map<number, string>>();

/** The token's text on its own; bytes that are not valid UTF-8 alone as `<0xNN>`. */
export function tokenLabel(tokenizer: Tokenizer, id: number): string {
  let known = labels.get(tokenizer);
  if (!known) labels.set(tokenizer, (known = new Map()));
  let label = known.get(id);
  if (label === undefined) {
    const bytes = tokenizer.tokenBytes?.(id);
    label = bytes ? labelFromBytes(bytes) : tokenizer.decode([id]);
    known.set(id, label);
  }
  return label;
}
