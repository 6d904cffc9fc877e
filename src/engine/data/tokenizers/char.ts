// Character-level tokenizer: one id per Unicode code point seen in the training text.
import type { Encoded, Tokenizer, TokenizerJSON } from '../../types.js';

function byCodePoint(a: string, b: string): number {
  return (a.codePointAt(0) ?? 0) - (b.codePointAt(0) ?? 0);
}

export class CharTokenizer implements Tokenizer {
  readonly kind = 'char' as const;
  /** Unknown characters are dropped (and counted): there is no <unk> character. */
  readonly unkId = null;
  private readonly ids: Map<string, number>;

  constructor(private readonly vocab: readonly string[]) {
    if (vocab.length === 0) throw new Error('char tokenizer needs a non-empty vocabulary (is the training text empty?)');
    this.ids = new Map(vocab.map((ch, i) => [ch, i]));
  }

  /** Vocabulary = the sorted distinct code points of the training texts. */
  static fromTexts(texts: readonly string[]): CharTokenizer {
    const seen = new Set<string>();
    for (const text of texts) for (const ch of text) seen.add(ch);
    return new CharTokenizer([...seen].sort(byCodePoint));
  }

  get vocabSize(): number {
    return this.vocab.length;
  }

  encode(text: string): Encoded {
    const ids: number[] = [];
    let unknown = 0;
    for (const ch of text) {
      const id = this.ids.get(ch);
      if (id === undefined) unknown++;
      else ids.push(id);
    }
    return { ids, unknown };
  }

  decode(ids: readonly number[]): string {
    let out = '';
    for (const id of ids) out += this.vocab[id] ?? '';
    return out;
  }

  decoder(): (id: number) => string {
    return (id) => this.vocab[id] ?? '';
  }

  toJSON(): TokenizerJSON {
    return { kind: 'char', vocab: [...this.vocab], options: {} };
  }
}
