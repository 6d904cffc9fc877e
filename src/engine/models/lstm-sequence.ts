// An LSTM layer over a whole sequence as one differentiable op, with backpropagation through time
// written by hand. Autodiff through the per-step ops cost ~55 backward kernel calls per time step
// (plus a saved copy of every op input); this takes ~9, and the recurrent kernel's gradient is one
// matmul over all steps instead of one per step.
import * as tf from '@tensorflow/tfjs-core';
import { LSTM_BACKWARD, LSTM_FORWARD } from '../kernels/training/lstm-kernels.js';
import { hasTrainingKernel } from '../kernels/training/simd-training.js';

/**
 * The hidden states [T*B, hidden] (time-major) of an LSTM layer started from zero state.
 * @param xw the input projection x@W + b for all steps, [T*B, 4*hidden], gates i, f, g, o
 * @param recurrent the recurrent kernel U, [hidden, 4*hidden]
 */
export function lstmSequence(xw: tf.Tensor2D, recurrent: tf.Tensor2D, T: number, B: number): tf.Tensor2D {
  const hidden = recurrent.shape[0];
  const rows = T * B;
  if (hidden % 4 === 0 && hasTrainingKernel(LSTM_FORWARD) && hasTrainingKernel(LSTM_BACKWARD)) return fusedLstm(xw, recurrent, T, B);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, U] = args as tf.Tensor2D[];
    const save = args[2] as tf.GradSaveFunc;
    const steps = (T === 1 ? [x] : tf.split(x, T, 0)) as tf.Tensor2D[];
    let h = tf.zeros([B, hidden]) as tf.Tensor2D;
    let c = tf.zeros([B, hidden]) as tf.Tensor2D;
    const hs = [h];
    const cs = [c];
    const sigmoids: tf.Tensor[] = [];
    const tanhs: tf.Tensor[] = [];
    for (const xt of steps) {
      // Both activations over all four gates, then pick (4 calls instead of a split and 4 activations);
      // the extra work on [B, 4*hidden] is small next to a kernel call.
      const z = tf.add(xt, tf.matMul(h, U));
      const sig = tf.sigmoid(z);
      const th = tf.tanh(z);
      const [si, sf, , so] = tf.split(sig, 4, 1);
      const tg = tf.slice(th, [0, 2 * hidden], [B, hidden]);
      c = tf.add(tf.mul(sf, c), tf.mul(si, tg)) as tf.Tensor2D;
      h = tf.mul(so, tf.tanh(c)) as tf.Tensor2D;
      hs.push(h);
      cs.push(c);
      sigmoids.push(sig);
      tanhs.push(th);
    }
    const allH = tf.concat(hs); // [(T+1)*B, hidden]: h0 .. hT
    save([tf.concat(sigmoids), tf.concat(tanhs), allH, tf.concat(cs), U]);
    return { value: tf.slice(allH, [B, 0], [rows, hidden]), gradFunc: backward };
  });

  const backward = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
    const [sigmoids, tanhs, allH, allC, U] = saved as tf.Tensor2D[];
    const [si, sf, , so] = tf.split(sigmoids, 4, 1);
    const tg = tf.slice(tanhs, [0, 2 * hidden], [rows, hidden]);
    const cPrev = tf.slice(allC, [0, 0], [rows, hidden]);
    const tc = tf.tanh(tf.slice(allC, [B, 0], [rows, hidden]));
    const oneMinus = (t: tf.Tensor) => tf.sub(1, t);
    // Per-step factors, computed for all steps at once: with dh and dc the total gradients at h_t and c_t,
    // do = dh * kO, dc = dc_next * f_next + dh * kC, and [di, df, dg] = [dc, dc, dc] * kIFG.
    const kO = tf.mul(tc, tf.mul(so, oneMinus(so)));
    const kC = tf.mul(so, oneMinus(tf.square(tc)));
    const kI = tf.mul(tg, tf.mul(si, oneMinus(si)));
    const kF = tf.mul(cPrev, tf.mul(sf, oneMinus(sf)));
    const kG = tf.mul(si, oneMinus(tf.square(tg)));
    const bySteps = (t: tf.Tensor) => (T === 1 ? [t] : tf.split(t, T, 0));
    const [dH, kOs, kCs, kIFGs, fs] = [dy, kO, kC, tf.concat([kI, kF, kG], 1), sf].map(bySteps);
    const UT = tf.transpose(U);
    const dzs: tf.Tensor[] = new Array(T);
    let dcNext: tf.Tensor | null = null;
    for (let t = T - 1; t >= 0; t--) {
      const dh = t === T - 1 ? dH[t] : tf.add(dH[t], tf.matMul(dzs[t + 1], UT));
      const fromH = tf.mul(dh, kCs[t]);
      const dc: tf.Tensor = dcNext ? tf.add(dcNext, fromH) : fromH;
      dzs[t] = tf.concat([tf.mul(tf.concat([dc, dc, dc], 1), kIFGs[t]), tf.mul(dh, kOs[t])], 1);
      if (t > 0) dcNext = tf.mul(dc, fs[t]);
    }
    const dz = T === 1 ? dzs[0] : tf.concat(dzs);
    const hPrev = tf.slice(allH, [0, 0], [rows, hidden]);
    return [dz, tf.matMul(hPrev, dz, true, false)];
  };

  return op(xw, recurrent) as tf.Tensor2D;
}

/**
 * The same layer where the backend has the fused kernels (wasm): the whole recurrence is one kernel call each
 * way (a product and a fused SIMD cell per step inside), and the recurrent kernel's gradient one matmul.
 */
function fusedLstm(xw: tf.Tensor2D, recurrent: tf.Tensor2D, T: number, B: number): tf.Tensor2D {
  const hidden = recurrent.shape[0];
  const rows = T * B;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, U] = args as tf.Tensor2D[];
    const save = args[2] as tf.GradSaveFunc;
    const [allH, allC, acts, tc] = tf.engine().runKernel(LSTM_FORWARD, { xw: x, U }, { T, B }) as tf.Tensor2D[];
    save([acts, allC, tc, allH, U]);
    return {
      value: tf.slice(allH, [B, 0], [rows, hidden]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [a, c, t, h, u] = saved;
        const dz = tf.engine().runKernel(LSTM_BACKWARD, { dy, acts: a, cAll: c, tc: t, U: u }, { T, B }) as tf.Tensor2D;
        return [dz, tf.matMul(tf.slice(h, [0, 0], [rows, hidden]), dz, true, false)];
      },
    };
  });
  return op(xw, recurrent) as tf.Tensor2D;
}
