// The next-token distribution at one position, for showing it: the model's own probabilities (temperature 1,
// what eval scores) and the sampler's (after temperature, top-k and top-p, computed by the sampler's own cut
// so the display can never disagree with a draw). Computed from the logits the sampler reads to the host anyway.
import { argmax, cutFor, isGreedy, maskUnk, type Cut } from './sample.js';
import { tokenLabel } from './token-label.js';
import { expSums, type ExpSums } from './exp-sums.js';
import type { NextTokenProbs, SampleOptions, TokenCandidate, Tokenizer } from './types.js';

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
  ) {}

  /**
   * From logits already on the host (the sampler reads them all anyway): the statistics in one SIMD pass and
   * the top candidates by selection, with no extra kernel calls, which cost more than this on the shipped models.
   * Takes over `all` (masks <unk> in it).
   */
  static fromValues(all: Float32Array, tokenizer: Tokenizer, top: number): NextToken {
    const unkLogit = maskUnk(all, tokenizer);
    return NextToken.build(all, unkLogit, all[argmax(all)], null, tokenizer, top);
  }

  /**
   * From a draw generate() has just made: the logits it read (<unk> already masked, `unkLogit` its raw value),
   * the cut it drew from (null for greedy settings), whose ranking already holds the top candidates, and the
   * token drawn (for greedy settings, the largest logit's).
   */
  static fromDraw(values: Float32Array, unkLogit: number, cut: Cut | null, id: number, tokenizer: Tokenizer, top: number): NextToken {
    return NextToken.build(values, unkLogit, cut ? cut.max : values[id], cut, tokenizer, top);
  }

  /** `max` is the largest masked logit. */
  private static build(values: Float32Array, unkLogit: number, max: number, cut: Cut | null, tokenizer: Tokenizer, top: number): NextToken {
    const masked = expSums(values, max);
    let { sum, weighted } = masked;
    // The model's distribution keeps <unk>: eval scores it.
    if (unkLogit > -Infinity) {
      const d = unkLogit - max;
      const e = Math.exp(d);
      sum += e;
      weighted += e * d;
    }
    // log Z = max + log Σ e; entropy = log Σ e - Σ e (l - max) / Σ e.
    const logZ = max + Math.log(sum);
    const entropy = Math.log(sum) - weighted / sum;
    const { ids, logits } = topCandidates(values, unkLogit, tokenizer.unkId, cut, Math.max(1, Math.min(values.length, top)));
    return new NextToken(values, ids, logits, logZ, entropy, tokenizer, unkLogit, masked);
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
    else if (cut === null) sampled = id === argmax(this.values) ? 1 : 0;
    else sampled = isKept(cut, id) ? cut.weights[id] / cut.total : 0;
    return { id, label: tokenLabel(this.tokenizer, id), logprob: logit - this.logZ, sampled };
  }

  /** The sampler's probability for the token of rank `rank` (0 = most likely). */
  private keptShare(id: number, rank: number, cut: Cut | null): number {
    if (cut === null) return rank === 0 ? 1 : 0;
    return rank < cut.count ? cut.weights[id] / cut.total : 0;
  }
}

/**
 * The k top candidates of the model's own ranking (logit desc, id asc), <unk> at its raw logit, most likely first.
 * A cut that kept at least k already holds them in its first positions, so only those are read.
 */
function topCandidates(values: Float32Array, unkLogit: number, unkId: number | null, cut: Cut | null, k: number): TopK {
  const top = new TopK(k);
  if (cut && cut.count >= k && cut.count < values.length) {
    for (let i = 0; i < cut.count; i++) {
      const id = cut.ids[i];
      if (id !== unkId) top.offer(id, values[id]);
    }
    if (unkId !== null) top.offer(unkId, unkLogit);
  } else {
    // Ids come in order here, so a value equal to the k-th best never displaces it: skip all but greater ones.
    let floor = -Infinity;
    for (let i = 0; i < values.length; i++) {
      if (values[i] > floor) {
        top.offer(i, values[i]);
        floor = top.floor;
      }
    }
    if (unkId !== null) top.offer(unkId, unkLogit);
  }
  return top;
}

/** The k best offered (id, logit) pairs by logit, ties to the lower id, kept sorted by insertion. */
class TopK {
  // Plain arrays: made per token, and k is small.
  readonly ids: number[];
  readonly logits: number[];
  private filled = 0;
  /** The k-th best logit once k are in, before that -Infinity. */
  floor = -Infinity;

  constructor(private readonly k: number) {
    this.ids = new Array<number>(k).fill(-1);
    this.logits = new Array<number>(k).fill(-Infinity);
  }

  offer(id: number, v: number): void {
    const { ids, logits, k } = this;
    if (this.filled === k && !(v > logits[k - 1] || (v === logits[k - 1] && id < ids[k - 1]))) return;
    let at = Math.min(this.filled, k - 1);
    while (at > 0 && (v > logits[at - 1] || (v === logits[at - 1] && id < ids[at - 1]))) {
      logits[at] = logits[at - 1];
      ids[at] = ids[at - 1];
      at--;
    }
    logits[at] = v;
    ids[at] = id;
    if (this.filled < k) this.filled++;
    if (this.filled === k) this.floor = logits[k - 1];
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
