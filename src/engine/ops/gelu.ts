// GELU, tanh approximation (GPT-2's gelu_new): the op, its gradient, its kernel choice and a float64
// reference. The kernels (kernels/decode/gelu.ts, decode-block.ts, kernels/simd/training.wat) use GELU_A
// and GELU_B from here.
import * as tf from '@tensorflow/tfjs-core';
import { GELU_KERNEL } from '../kernels/decode/gelu.js';
import { TRAIN_GELU, TRAIN_GELU_GRAD } from '../kernels/training/simd-training.js';
import { LARGE, hasKernel, runKernel } from './kernel-choice.js';

/** t = x (GELU_A + GELU_B x^2) = 2 sqrt(2/pi) (x + 0.044715 x^3). */
export const GELU_A = 2 * Math.sqrt(2 / Math.PI);
export const GELU_B = GELU_A * 0.044715;

/**
 * GELU as x * sigmoid(t) with t = 2u = 2 sqrt(2/pi) (x + 0.044715 x^3), since 0.5 (1 + tanh(u)) = sigmoid(2u);
 * equal to the tanh form up to float rounding. A hand-written gradient (dt/dx = A + 3B x^2) saves x and
 * sigmoid(t) instead of a copy per op input.
 */
export function gelu(x: tf.Tensor, training = true): tf.Tensor {
  if (training) return geluOp(x);
  if (x.size >= LARGE && hasKernel(TRAIN_GELU)) {
    const [y, s] = tf.engine().runKernel(TRAIN_GELU, { x }) as tf.Tensor[];
    s.dispose();
    return y;
  }
  return hasKernel(GELU_KERNEL) ? runKernel(GELU_KERNEL, { x }) : tf.mul(x, geluGate(x));
}

/** sigmoid(t), t = x (A + B x^2). */
function geluGate(x: tf.Tensor): tf.Tensor {
  return tf.sigmoid(tf.mul(x, tf.add(tf.mul(tf.square(x), GELU_B), GELU_A)));
}

const geluOp = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  const save = args[1] as tf.GradSaveFunc;
  // One fused forward call where the backend has it (wasm), giving the output and s.
  const [y, s] = hasKernel(TRAIN_GELU) ? (tf.engine().runKernel(TRAIN_GELU, { x }) as tf.Tensor[]) : [null, geluGate(x)];
  save([x, s]);
  return {
    value: y ?? tf.mul(x, s),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, sig] = saved;
      if (hasKernel(TRAIN_GELU_GRAD)) return runKernel(TRAIN_GELU_GRAD, { dy, x: xs, s: sig });
      const dt = tf.add(tf.mul(tf.square(xs), 3 * GELU_B), GELU_A);
      // d/dx x*s(t) = s + x * s (1 - s) * dt/dx
      const slope = tf.add(sig, tf.mul(tf.mul(xs, tf.mul(sig, tf.sub(1, sig))), dt));
      return tf.mul(dy, slope);
    },
  };
});

/** Float64 reference for tests, in the textbook tanh form: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
export function geluReference(x: ArrayLike<number>): Float64Array {
  return Float64Array.from(x, (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))));
}
