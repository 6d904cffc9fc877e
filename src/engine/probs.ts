// The next-token distribution at one position, for showing it: the model's own probabilities (temperature 1,
// what eval scores) and the sampler's (after temperature, top-k and top-p, computed by the sampler's own cut
// so the display can never disagree with a draw). Only the top candidates and two scalars leave the backend.
import * as tf from '@tensorflow/tfjs-core';
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

  /** Reads `logits` [vocab] (the caller still owns and disposes it) with its `top` best candidates. */
  static async read(logits: tf.Tensor1D, tokenizer: Tokenizer, top: number): Promise<NextToken> {
    const k = Math.max(1, Math.min(logits.shape[0], top));
    const [topValues, topIndices, stats] = tf.tidy(() => {
      const best = tf.topk(logits, k);
      const logZ = tf.logSumExp(logits);
      const logp = tf.sub(logits, logZ);
      const entropy = tf.neg(tf.sum(tf.mul(tf.exp(logp), logp)));
      return [best.values, best.indices, tf.stack([logZ, entropy])];
    });
    try {
      const [all, values, indices, figures] = await Promise.all([logits.data(), topValues.data(), topIndices.data(), stats.data()]);
      // A copy: some backends hand out their own buffer, and <unk> is masked in it below.
      const sampling = (all as Float32Array).slice();
      const unkId = tokenizer.unkId;
      const unkLogit = unkId === null ? -Infinity : sampling[unkId];
      if (unkId !== null) sampling[unkId] = -Infinity;
      const { ids, logits: sorted } = rankCandidates(indices as Int32Array, values as Float32Array);
      return new NextToken(sampling, ids, sorted, figures[0], figures[1], tokenizer, unkLogit);
    } finally {
      tf.dispose([topValues, topIndices, stats]);
    }
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

/** Most likely first, ties by id as the sampler ranks them (backends differ in how topk orders ties). */
function rankCandidates(indices: Int32Array, values: Float32Array): { ids: Int32Array; logits: Float32Array } {
  const order = Array.from(indices.keys()).sort((a, b) => values[b] - values[a] || indices[a] - indices[b]);
  return { ids: Int32Array.from(order, (i) => indices[i]), logits: Float32Array.from(order, (i) => values[i]) };
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
