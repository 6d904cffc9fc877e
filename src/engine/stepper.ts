// Generation one token at a time, chosen by hand or drawn by the settings, with undo: /step in the chat,
// and the next-token distribution of a prompt (/next). Holds no tensors between steps but the model's state.
import { encodePrompt, makeRandom, promptTail, drawFrom, argmax, type Random } from './sample.js';
import { NextToken } from './probs.js';
import type { DecodeState, NextTokenProbs, SampleOptions, TokenProbs } from './types.js';
import type { LoadedModel } from './store/checkpoint.js';

export class Stepper {
  private state: DecodeState | null = null;
  private next: NextToken | null = null;
  private decodeNext: (id: number) => string = () => '';
  private readonly random: Random;
  /** The accepted tokens, each with the distribution it was chosen from. */
  readonly tokens: TokenProbs[] = [];

  private constructor(
    private readonly loaded: LoadedModel,
    private readonly promptIds: number[],
    public options: SampleOptions,
    private readonly top: number,
  ) {
    this.random = makeRandom(options.seed);
  }

  /** Feeds `prompt` and reads the distribution of the first token. */
  static async start(loaded: LoadedModel, prompt: string, options: SampleOptions, top: number): Promise<Stepper> {
    const ids = promptTail(encodePrompt(loaded.tokenizer, prompt).ids, loaded.model.contextLength).ids;
    const stepper = new Stepper(loaded, ids, options, top);
    try {
      await stepper.rebuild();
    } catch (err) {
      stepper.dispose();
      throw err;
    }
    return stepper;
  }

  /** The next token's candidates under the current settings (changing them needs no model run). */
  view(): NextTokenProbs {
    return this.current().view(this.options);
  }

  /** The text accepted so far. */
  get text(): string {
    return this.tokens.map((t) => t.text).join('');
  }

  /** Accepts token `id` (for example a candidate the user highlighted). */
  async accept(id: number): Promise<TokenProbs> {
    const next = this.current();
    const cut = next.cut(this.options);
    return this.push(next, id, cut);
  }

  /** Draws one token as generation would with these settings and this seed, and accepts it. */
  async sample(): Promise<TokenProbs> {
    const next = this.current();
    const cut = next.cut(this.options);
    return this.push(next, cut ? drawFrom(cut, this.random) : argmax(next.values), cut);
  }

  /** Takes back the last accepted token. The model's state cannot step back, so it is rebuilt. */
  async undo(): Promise<void> {
    if (this.tokens.length === 0) return;
    this.tokens.pop();
    await this.rebuild();
  }

  dispose(): void {
    this.state?.dispose();
    this.state = null;
  }

  private current(): NextToken {
    if (!this.next) throw new Error('the stepper is closed');
    return this.next;
  }

  private async push(next: NextToken, id: number, cut: ReturnType<NextToken['cut']>): Promise<TokenProbs> {
    const token = next.record(id, this.options, cut, this.decodeNext(id));
    this.tokens.push(token);
    await this.feed([id]);
    return token;
  }

  private async rebuild(): Promise<void> {
    this.dispose();
    const { model, tokenizer } = this.loaded;
    this.state = model.createState();
    this.decodeNext = tokenizer.decoder();
    const ids = this.promptIds.concat(this.tokens.map((t) => t.chosen.id));
    for (const id of ids) this.decodeNext(id);
    await this.feed(ids);
  }

  private async feed(ids: number[]): Promise<void> {
    const logits = this.loaded.model.feed(this.state!, ids);
    try {
      this.next = NextToken.fromValues((await logits.data()) as Float32Array, this.loaded.tokenizer, this.top);
    } finally {
      logits.dispose();
    }
  }
}

/** The distribution of the token after `prompt`, read once (the /next panel re-views it as settings change). */
export async function readNextToken(loaded: LoadedModel, prompt: string, top: number): Promise<NextToken> {
  const ids = promptTail(encodePrompt(loaded.tokenizer, prompt).ids, loaded.model.contextLength).ids;
  const state = loaded.model.createState();
  try {
    const logits = loaded.model.feed(state, ids);
    try {
      return NextToken.fromValues((await logits.data()) as Float32Array, loaded.tokenizer, top);
    } finally {
      logits.dispose();
    }
  } finally {
    state.dispose();
  }
}
