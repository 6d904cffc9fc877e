// The next-token distribution at one position, for showing it: the model's own probabilities (temperature 1,
// what eval scores) and the sampler's (after temperature, top-k and top-p, computed by the sampler's own cut
// so the display can never disagree with a draw). Computed from the logits the sampler reads to the host anyway.
import { argmax, cutFor, isGreedy, maskUnk, type Cut } from './sample.js';
import { tokenLabel } from './token-label.js';
import { expSums, TopK, vocabPass, type ExpSums } from './exp-sums.js';
import type { NextTokenProbs, SampleOptions, TokenCandidate, TokenProbs, Tokenizer } from './types.js';

export class NextToken {
  private constructor(
    /** The logits as the sampler reads them: `<unk>` at -Infinity, since a reply never writes it. */
    readonly values: Float32Array,
    private readonly topIds: readonly number[],
    private readonly topLogits: readonly number[],
    /** log Σ exp(logits): a token's log-probability is its logit minus this. */
    private readonly logZ: number,
    readonly entropy: number,
    private readonly tokenizer: Tokenizer,
    private readonly unkLogit: number,
    /** Σ e and Σ e (l - max) without <unk>: the sampler's own sums at temperature 1 when nothing is cut. */
    private readonly masked: ExpSums,
    /** The greedy pick: the largest masked logit's id, the lowest id on a tie (as `argmax`, which a test checks). */
    readonly best: number,
  ) {}

  /**
   * From logits already on the host (the sampler reads them all anyway): the statistics and the top candidates in
   * one WebAssembly SIMD pass, with no extra backend kernel calls, which cost more than this on the shipped models.
   * Takes over `all` (masks <unk> in it).
   */
  static fromValues(all: Float32Array, tokenizer: Tokenizer, top: number): NextToken {
    const unkLogit = maskUnk(all, tokenizer);
    return NextToken.fromMasked(all, unkLogit, tokenizer, top);
  }

  /** From logits generate() has read, <unk> already masked (`unkLogit` its raw value). */
  static fromMasked(values: Float32Array, unkLogit: number, tokenizer: Tokenizer, top: number): NextToken {
    const k = Math.max(1, Math.min(values.length, top));
    const candidates = new TopK(k);
    const masked = vocabPass(values, candidates);
    // The greedy pick and the largest masked logit, before <unk> may join the candidates.
    const best = candidates.filled > 0 ? candidates.ids[0] : argmax(values);
    const max = candidates.logits[0];
    let { sum, weighted } = masked;
    // The model's distribution keeps <unk>: eval scores it, and it may rank among the top candidates.
    if (unkLogit > -Infinity) {
      const d = unkLogit - max;
      const e = Math.exp(d);
      sum += e;
      weighted += e * d;
      candidates.offer(tokenizer.unkId!, unkLogit);
    }
    // log Z = max + log Σ e; entropy = log Σ e - Σ e (l - max) / Σ e.
    const logZ = max + Math.log(sum);
    const entropy = Math.log(sum) - weighted / sum;
    const { ids, logits, filled } = candidates;
    const whole = filled === k;
    return new NextToken(values, whole ? ids : ids.slice(0, filled), whole ? logits : logits.slice(0, filled), logZ, entropy, tokenizer, unkLogit, masked, best);
  }

  /** The sampler's cut for these settings; null for greedy settings (the top token, always). */
  cut(options: SampleOptions): Cut | null {
    return isGreedy(options) ? null : cutFor(this.values, options);
  }

  /** The candidates and entropies under `options` (pass the cut a draw used, to describe that draw). */
  view(options: SampleOptions, cut: Cut | null = this.cut(options)): NextTokenProbs {
    const candidates: TokenCandidate[] = [];
    let rank = 0; // among tokens the sampler can rank: <unk> is not one
    for (let i = 0; i < this.topIds.length; i++) {
      const id = this.topIds[i];
      const sampled = id === this.tokenizer.unkId ? 0 : this.keptShare(id, rank++, cut);
      candidates.push({ id, label: tokenLabel(this.tokenizer, id), logprob: this.topLogits[i] - this.logZ, sampled });
    }
    return { candidates, entropy: this.entropy, sampledEntropy: cut ? cutEntropy(cut, this.values, this.masked) : 0, kept: cut ? cut.count : 1 };
  }

  /** The record of token `id` drawn from this distribution through `cut`, with its text. */
  record(id: number, options: SampleOptions, cut: Cut | null, text: string): TokenProbs {
    const { candidates, entropy, sampledEntropy, kept } = this.view(options, cut);
    return { candidates, entropy, sampledEntropy, kept, chosen: this.candidate(id, cut), text };
  }

  /** One token's probabilities, whether or not it is among the top candidates. */
  candidate(id: number, cut: Cut | null): TokenCandidate {
    const unkId = this.tokenizer.unkId;
    const at = this.topIds.indexOf(id);
    const logit = at !== -1 ? this.topLogits[at] : id === unkId ? this.unkLogit : this.values[id];
    let sampled: number;
    if (id === unkId) sampled = 0;
    else if (at !== -1) {
      const unkAt = unkId === null ? -1 : this.topIds.indexOf(unkId);
      sampled = this.keptShare(id, unkAt !== -1 && unkAt < at ? at - 1 : at, cut);
    }
    else if (cut === null) sampled = id === this.best ? 1 : 0;
    else sampled = isKept(cut, id) ? cut.weights[id] / cut.total : 0;
    return { id, label: tokenLabel(this.tokenizer, id), logprob: logit - this.logZ, sampled };
  }

  /** The sampler's probability for the token of rank `rank` (0 = most likely). */
  private keptShare(id: number, rank: number, cut: Cut | null): number {
    if (cut === null) return rank === 0 ? 1 : 0;
    return rank < cut.count ? cut.weights[id] / cut.total : 0;
  }
}

function isKept(cut: Cut, id: number): boolean {
  if (cut.count === cut.ids.length) return true; // nothing cut (<unk> never reaches here)
  for (let i = 0; i < cut.count; i++) if (cut.ids[i] === id) return true;
  return false;
}

/** -Σ q log q over the kept ids, q = w / total: log w is (logit - max) / temperature, so no log per token. */
function cutEntropy(cut: Cut, values: Float32Array, masked: ExpSums): number {
  if (cut.count === values.length) {
    // Nothing cut: sums over every id, in one SIMD pass (at temperature 1 the ones already made).
    const s = cut.temperature === 1 ? masked : expSums(values, cut.max, 1 / cut.temperature);
    return Math.log(s.sum) - s.weighted / s.sum;
  }
  let weighted = 0;
  for (let i = 0; i < cut.count; i++) {
    const id = cut.ids[i];
    const w = cut.weights[id];
    if (w > 0) weighted += w * (values[id] - cut.max);
  }
  return Math.log(cut.total) - weighted / cut.temperature / cut.total;
}
