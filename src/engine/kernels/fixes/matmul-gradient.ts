/**
 * The gradient of BatchMatMul (all backends). tfjs 4.22's own gradient ignores batch broadcasting: for
 * x [B,T,C] times w [C,D] it returns a [B,C,D] gradient for w and backprop throws. This one sums the gradient
 * back to each input's shape, and for the common dense-layer case (a batched, b a plain matrix) folds the batch
 * into the rows so dW is a single [C,D] product instead of B products and a sum.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';

/** Sum g over the dims that were broadcast from `shape`, then give it exactly that shape. */
function sumToShape(g: Tensor, shape: number[]): Tensor {
  if (tf.util.arraysEqual(g.shape, shape)) return g;
  // Align the shapes on the right: sum the leading dims `shape` lacks and the dims it has as 1.
  const extra = g.shape.length - shape.length;
  const all = g.shape.map((d, j) => j).filter((j) => j < extra || (shape[j - extra] === 1 && g.shape[j] !== 1));
  const summed = all.length > 0 ? tf.sum(g, all) : g;
  return tf.reshape(summed, shape);
}

function rowsOf(t: Tensor): Tensor {
  return tf.reshape(t, [-1, t.shape[t.shape.length - 1]]);
}

export const batchMatMulGradConfig: GradConfig = {
  kernelName: 'BatchMatMul',
  inputsToSave: ['a', 'b'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs?: NamedAttrMap) => {
    const g = dy as Tensor;
    const [a, b] = saved;
    const ta = Boolean(attrs?.transposeA);
    const tb = Boolean(attrs?.transposeB);
    // Dense layer: a [..., M, K] (not transposed) times a plain matrix b: dB is one 2-D product over all rows.
    const foldRows = !ta && b.rank === 2 && a.rank > 2;
    const da = () =>
      sumToShape(
        !ta && !tb ? tf.matMul(g, b, false, true) : !ta && tb ? tf.matMul(g, b) : ta && !tb ? tf.matMul(b, g, false, true) : tf.matMul(b, g, true, true),
        a.shape,
      );
    const db = () => {
      if (foldRows) return tb ? tf.matMul(rowsOf(g), rowsOf(a), true, false) : tf.matMul(rowsOf(a), rowsOf(g), true, false);
      return sumToShape(
        !ta && !tb ? tf.matMul(a, g, true, false) : !ta && tb ? tf.matMul(g, a, true, false) : ta && !tb ? tf.matMul(a, g) : tf.matMul(g, a, true, true),
        b.shape,
      );
    };
    return { a: da, b: db };
  },
};

/** Replace tfjs's BatchMatMul gradient with the broadcasting-aware one. Idempotent. */
export function installMatMulGradient(): void {
  if (tf.getGradient('BatchMatMul') === batchMatMulGradConfig) return;
  tf.registerGradient(batchMatMulGradConfig);
}
