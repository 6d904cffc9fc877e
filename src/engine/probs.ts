// The next-token distribution at one position, for showing it: the model's own probabilities (temperature 1,
// what eval scores) and the sampler's (after temperature, top-k and top-p, computed by the sampler's own cut
// so the display can never disagree with a draw). Computed from the logits the sampler reads to the host anyway.
import { argmax, cutFor, isGreedy, type Cut } from './sample.js';
import { tokenLabel } from './token-label.js';
import type { NextTokenProbs, SampleOptions, TokenCandidate, Tokenizer } from './types.js';

export class NextToken {
  private constructor(
    /** The logits as the sampler reads them: `<unk>` at -Infinity, since a reply never writes it. */
    readonly values: Float32Array,
    private readonly topIds: Int32Array,
    private readonly topLogits: Float32Array,
    /** log Σ exp(logits): a token's log-probability is its logit minus this. */
    private readonly logZ: number,
    readonly entropy: number,
    private readonly tokenizer: Tokenizer,
    private readonly unkLogit: number,
  ) {}

  /**
   * From logits already on the host (generation reads them all for the sampler anyway): the statistics in
   * one pass and the top candidates by selection, with no extra kernel calls, which cost more than this on
   * the shipped models. Takes over `all` (masks <unk> in it).
   */
  static fromValues(all: Float32Array, tokenizer: Tokenizer, top: number): NextToken {
    let max = -Infinity;
    for (let i = 0; i < all.length; i++) if (all[i] > max) max = all[i];
    let sum = 0;
    let weighted = 0;
    for (let i = 0; i < all.length; i++) {
      const e = Math.exp(all[i] - max);
      sum += e;
      weighted += e * (all[i] - max);
    }
    // log Z = max + log Σ e; entropy = log Σ e - Σ e (l - max) / Σ e.
    const logZ = max + Math.log(sum);
    const entropy = Math.log(sum) - weighted / sum;
    const { ids, logits } = topByValue(all, Math.max(1, Math.min(all.length, top)));
    const unkId = tokenizer.unkId;
    const unkLogit = unkId === null ? -Infinity : all[unkId];
    if (unkId !== null) all[unkId] = -Infinity;
    return new NextToken(all, ids, logits, logZ, entropy, tokenizer, unkLogit);
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
    return { candidates, entropy: this.entropy, sampledEntropy: cut ? cutEntropy(cut) : 0, kept: cut ? cut.count : 1 };
  }

  /** One token's probabilities, whether or not it is among the top candidates. */
  candidate(id: number, cut: Cut | null): TokenCandidate {
    const unkId = this.tokenizer.unkId;
    const at = this.topIds.indexOf(id);
    const logit = at !== -1 ? this.topLogits[at] : id === unkId ? this.unkLogit : this.values[id];
    let sampled: number;
    if (id === unkId) sampled = 0;
    else if (at !== -1) sampled = this.keptShare(id, at - (this.topIds.subarray(0, at).includes(unkId ?? -1) ? 1 : 0), cut);
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

/** The k largest values, most likely first, ties by lower id (a scan in id order keeps the earlier of equals). */
function topByValue(values: Float32Array, k: number): { ids: Int32Array; logits: Float32Array } {
  const ids = new Int32Array(k).fill(-1);
  const logits = new Float32Array(k).fill(-Infinity);
  let filled = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (filled === k && !(v > logits[k - 1])) continue;
    let at = Math.min(filled, k - 1);
    while (at > 0 && v > logits[at - 1]) {
      logits[at] = logits[at - 1];
      ids[at] = ids[at - 1];
      at--;
    }
    logits[at] = v;
    ids[at] = i;
    if (filled < k) filled++;
  }
  return { ids, logits };
}

function isKept(cut: Cut, id: number): boolean {
  for (let i = 0; i < cut.count; i++) if (cut.ids[i] === id) return true;
  return false;
}

function cutEntropy(cut: Cut): number {
  let entropy = 0;
  for (let i = 0; i < cut.count; i++) {
    const q = cut.weights[cut.ids[i]] / cut.total;
    if (q > 0) entropy -= q * Math.log(q);
  }
  return entropy;
}
