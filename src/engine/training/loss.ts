// Mean sparse softmax cross-entropy with a hand-written gradient: (softmax - oneHot) / N.
// The stock route (gather of log-softmax) backprops through a [N*V] gather, which wasm lacks
// and which is slow; a one-hot matmul in the forward pass is wasteful.
import * as tf from '@tensorflow/tfjs-core';
import { XENT_GRAD, XENT_LOSS } from '../kernels/training/cross-entropy.js';
import { hasTrainingKernel } from '../kernels/training/simd-training.js';

/** Mean over N of logsumexp(logits) - logits[target]. logits [N, V] float32, targets [N] int32. */
export function sparseCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  const [N, V] = logits.shape;
  if (targets.shape[0] !== N) {
    throw new Error(`targets have ${targets.shape[0]} entries but logits have ${N} rows`);
  }
  if (hasTrainingKernel(XENT_LOSS) && hasTrainingKernel(XENT_GRAD)) return softmaxLoss(logits, targets);
  const loss = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    const ids = tf.cast(targets, 'int32');
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
    const value = tf.mean(tf.sub(lse, picked)) as tf.Scalar;
    save([shifted, sums, flat]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [e, s, at] = saved;
        const perRow = tf.div(dy, N); // d(mean)/d(row loss), a scalar
        const softmaxScaled = tf.mul(e, tf.div(perRow, s));
        // The one-hot part as a scatter of N values at the flat target positions (float, unlike wasm's oneHot).
        const hot = tf.scatterND(tf.reshape(at, [N, 1]), tf.mul(tf.ones([N]), perRow), [N * V]);
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
function softmaxLoss(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  const loss = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    const ids = tf.cast(targets, 'int32');
    const probs = tf.softmax(x);
    save([probs, ids]);
    return {
      value: tf.engine().runKernel(XENT_LOSS, { logits: x, probs, targets: ids }) as tf.Scalar,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.engine().runKernel(XENT_GRAD, { probs: saved[0], targets: saved[1], dy }) as tf.Tensor,
    };
  });
  return loss(logits) as tf.Scalar;
}
