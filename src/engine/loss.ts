// Mean sparse softmax cross-entropy with a hand-written gradient: (softmax - oneHot) / N.
// The stock route (gather of log-softmax) backprops through a [N*V] gather, which wasm lacks
// and which is slow; a one-hot matmul in the forward pass is wasteful.
import * as tf from '@tensorflow/tfjs-core';

/** Mean over N of logsumexp(logits) - logits[target]. logits [N, V] float32, targets [N] int32. */
export function sparseCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  const [N, V] = logits.shape;
  if (targets.shape[0] !== N) {
    throw new Error(`targets have ${targets.shape[0]} entries but logits have ${N} rows`);
  }
  const loss = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    const lse = tf.logSumExp(x, 1); // [N]
    // A forward-only gather of the picked logits (customGrad means no gather gradient).
    const flat = tf.add(tf.mul(tf.range(0, N, 1, 'int32'), tf.scalar(V, 'int32')), tf.cast(targets, 'int32'));
    const picked = tf.gather(tf.reshape(x, [N * V]), flat);
    const value = tf.mean(tf.sub(lse, picked)) as tf.Scalar;
    save([x, lse]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, l] = saved;
        const softmax = tf.exp(tf.sub(xs, tf.reshape(l, [N, 1])));
        // Cast instead of asking oneHot for float32: wasm 4.22 writes the int bit pattern (1 -> 1.4e-45).
        const diff = tf.sub(softmax, tf.cast(tf.oneHot(targets, V), 'float32'));
        return tf.mul(diff, tf.div(dy, N));
      },
    };
  });
  return loss(logits) as tf.Scalar;
}
