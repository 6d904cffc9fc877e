// Per-token surprisal on held-out text: the same windows and the same loss as eval, one figure per token,
// so a user can see where a model is surprised (eval --per-token).
import * as tf from '@tensorflow/tfjs-core';
import { batchAt } from '../data/dataset.js';
import { tokenLabel } from '../token-label.js';
import type { LanguageModel, Tokenizer } from '../types.js';

export interface TokenSurprisal {
  /** Where the token sits in the held-out split (windows may overlap, so a position can recur). */
  position: number;
  id: number;
  /** The token on its own; bytes that are not valid UTF-8 alone read `<0xE2>`. */
  label: string;
  /** -ln p(token | the window before it): its mean over all rows is eval's val loss. */
  nats: number;
}

/** Surprisal of every predicted token of the windows at `offsets` (eval mode, no dropout). */
export async function perTokenSurprisal(
  model: LanguageModel,
  tokenizer: Tokenizer,
  tokens: Int32Array,
  offsets: readonly number[],
  seqLength: number,
  batchSize = 16,
): Promise<TokenSurprisal[]> {
  const out: TokenSurprisal[] = [];
  for (let i = 0; i < offsets.length; i += batchSize) {
    const chunk = offsets.slice(i, i + batchSize);
    const batch = batchAt(tokens, chunk, seqLength);
    const surprisal = tf.tidy(() => {
      const logits = model.apply(batch.x, false);
      const vocab = logits.shape[2];
      const rows = tf.reshape(logits, [-1, vocab]) as tf.Tensor2D;
      const n = rows.shape[0];
      // Only the picked logit of each row leaves the backend (a flat gather: wasm has no gatherND gradient to worry about here).
      const flat = tf.add(tf.mul(tf.range(0, n, 1, 'int32'), tf.scalar(vocab, 'int32')), batch.y);
      return tf.sub(tf.logSumExp(rows, 1), tf.gather(tf.reshape(rows, [n * vocab]), flat));
    });
    const [values, targets] = await Promise.all([surprisal.data(), batch.y.data()]);
    tf.dispose([surprisal, batch.x, batch.y]);
    chunk.forEach((offset, row) => {
      for (let t = 0; t < seqLength; t++) {
        const at = row * seqLength + t;
        const id = targets[at];
        out.push({ position: offset + t + 1, id, label: tokenLabel(tokenizer, id), nats: values[at] });
      }
    });
  }
  return out;
}
