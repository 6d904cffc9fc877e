// Mean sparse softmax cross-entropy with a hand-written gradient: (softmax - oneHot) / N, or a masked mean.
// The stock route (gather of log-softmax) backprops through a [N*V] gather, which wasm lacks
// and which is slow; a one-hot matmul in the forward pass is wasteful.
import * as tf from '@tensorflow/tfjs-core';
import { XENT_GRAD, XENT_LOSS } from '../kernels/training/cross-entropy.js';
import { hasTrainingKernel } from '../kernels/training/simd-training.js';

/**
 * Mean over N of logsumexp(logits) - logits[target]. logits [N, V] float32, targets [N] int32.
 * With `mask` ([N] float32, 1 where a row counts and 0 where it does not, e.g. the prompt and padding of a
 * conversation): the mean over the counted rows only; uncounted rows add nothing to the value or the gradient.
 * A mask of zeros gives 0. The mask says which positions teach, independently of which weights train.
 */
export function sparseCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D, mask?: tf.Tensor1D): tf.Scalar {
  const [N, V] = logits.shape;
  if (targets.shape[0] !== N) {
    throw new Error(`targets have ${targets.shape[0]} entries but logits have ${N} rows`);
  }
  if (mask && mask.shape[0] !== N) throw new Error(`the loss mask has ${mask.shape[0]} entries but logits have ${N} rows`);
  if (hasTrainingKernel(XENT_LOSS) && hasTrainingKernel(XENT_GRAD)) return softmaxLoss(logits, targets, mask);
  return compositeLoss(logits, targets, mask);
}

/** Each row's share of the loss, mask/count (made inside the forward pass and saved, so it lives until the backward one). */
function rowWeights(mask: tf.Tensor1D): tf.Tensor1D {
  const m = tf.cast(mask, 'float32');
  return tf.div(m, tf.maximum(tf.sum(m), 1));
}

function compositeLoss(logits: tf.Tensor2D, targets: tf.Tensor1D, mask: tf.Tensor1D | undefined): tf.Scalar {
  const [N, V] = logits.shape;
  const loss = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    const ids = tf.cast(targets, 'int32');
    const weights = mask ? rowWeights(mask) : null;
    // logsumexp as tf.logSumExp computes it, keeping exp(x - max) and its row sums for the gradient,
    // so the backward pass is one multiply and a scatter instead of sub, exp, oneHot, cast, sub, mul
    // over [N, V] (which dominated a 10k-word vocabulary's step).
    const max = tf.max(x, 1, true);
    const shifted = tf.exp(tf.sub(x, max));
    const sums = tf.sum(shifted, 1, true);
    const lse = tf.reshape(tf.add(tf.log(sums), max), [N]);
    // A forward-only gather of the picked logits (customGrad means no gather gradient).
    const flat = tf.add(tf.mul(tf.range(0, N, 1, 'int32'), tf.scalar(V, 'int32')), ids);
    const picked = tf.gather(tf.reshape(x, [N * V]), flat);
    const rows = tf.sub(lse, picked);
    const value = (weights ? tf.sum(tf.mul(rows, weights)) : tf.mean(rows)) as tf.Scalar;
    save(weights ? [shifted, sums, flat, weights] : [shifted, sums, flat]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [e, s, at] = saved;
        const weights = saved[3];
        // d(loss)/d(row loss): dy/N each, or dy times the row's weight (0 for a masked-out row).
        const perRow = weights ? tf.reshape(tf.mul(weights, dy), [N, 1]) : tf.div(dy, N);
        const softmaxScaled = tf.mul(e, tf.div(perRow, s));
        // The one-hot part as a scatter of N values at the flat target positions (float, unlike wasm's oneHot).
        const hot = tf.scatterND(tf.reshape(at, [N, 1]), tf.mul(tf.ones([N]), tf.reshape(perRow, weights ? [N] : [])), [N * V]);
        return tf.sub(softmaxScaled, tf.reshape(hot, [N, V]));
      },
    };
  });
  return loss(logits) as tf.Scalar;
}

/**
 * The same loss where the backend has the fused kernels (wasm): one stock Softmax (fast, vectorised) and a per-row
 * pick forward, one scaling pass backward, instead of ~8 passes over [N, V] each way.
 */
function softmaxLoss(logits: tf.Tensor2D, targets: tf.Tensor1D, mask: tf.Tensor1D | undefined): tf.Scalar {
  const loss = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    const ids = tf.cast(targets, 'int32');
    const probs = tf.softmax(x);
    const weights = mask ? rowWeights(mask) : null;
    const w: tf.NamedTensorMap = weights ? { weights } : {};
    save(weights ? [probs, ids, weights] : [probs, ids]);
    return {
      value: tf.engine().runKernel(XENT_LOSS, { logits: x, probs, targets: ids, ...w }) as tf.Scalar,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.engine().runKernel(XENT_GRAD, { probs: saved[0], targets: saved[1], dy, ...(saved[2] ? { weights: saved[2] } : {}) }) as tf.Tensor,
    };
  });
  return loss(logits) as tf.Scalar;
}
