// A weight matrix that is either float32 or int8 (q8), so a model family writes `linear(x, m)` once and runs
// either way. Float matrices are [in, out] kernels; q8 matrices are stored by output row, [out, in / 4] packed
// int32 plus a scale per row, which is also the layout of an embedding table [vocab, d] used as a tied head.
import * as tf from '@tensorflow/tfjs-core';
import { Q8_GATHER_KERNEL, Q8_MATMUL_KERNEL, quantizeRows } from '../kernels/decode/q8.js';
import type { NamedWeight } from '../types.js';
import { type WeightBuilder } from './init.js';
import { hasKernel, runKernel } from '../ops/kernel-choice.js';

export type Quantization = 'q8';

export type Matrix =
  | { kind: 'f32'; kernel: tf.Variable }
  | { kind: 'q8'; packed: tf.Variable; scale: tf.Variable; rows: number; cols: number };

function checkQ8Backend(): void {
  if (!hasKernel(Q8_MATMUL_KERNEL)) throw new Error(`q8 models run on the wasm backend only (this one is ${tf.getBackend()}); use --backend wasm`);
}

/** A [inDim, outDim] weight: float32, or q8 rows [outDim, inDim / 4] with their scales. */
export function buildMatrix(b: WeightBuilder, name: string, group: string, inDim: number, outDim: number, std: number, q8: boolean): Matrix {
  if (!q8) return { kind: 'f32', kernel: b.normal(`${name}/kernel`, group, [inDim, outDim], std) };
  return { kind: 'q8', packed: b.frozen(`${name}/q8`, group, [outDim, inDim / 4], 'int32'), scale: b.frozen(`${name}/scale`, group, [outDim], 'float32'), rows: outDim, cols: inDim };
}

/** An embedding table [vocab, d] (float32), or its q8 rows. */
export function buildTable(b: WeightBuilder, name: string, group: string, vocab: number, d: number, std: number, q8: boolean): Matrix {
  if (!q8) return { kind: 'f32', kernel: b.normal(name, group, [vocab, d], std) };
  return { kind: 'q8', packed: b.frozen(`${name}/q8`, group, [vocab, d / 4], 'int32'), scale: b.frozen(`${name}/scale`, group, [vocab], 'float32'), rows: vocab, cols: d };
}

/** x [rows, in] . m -> [rows, out]. */
export function linear(x: tf.Tensor2D, m: Matrix): tf.Tensor2D {
  if (m.kind === 'f32') return tf.matMul(x, m.kernel as tf.Tensor2D);
  checkQ8Backend();
  return runKernel(Q8_MATMUL_KERNEL, { x, w: m.packed, scale: m.scale }) as tf.Tensor2D;
}

/** x [rows, d] . table^T -> [rows, vocab]: a head tied to the embedding. */
export function tiedHead(x: tf.Tensor2D, table: Matrix): tf.Tensor2D {
  if (table.kind === 'f32') return tf.matMul(x, table.kernel as tf.Tensor2D, false, true);
  checkQ8Backend();
  return runKernel(Q8_MATMUL_KERNEL, { x, w: table.packed, scale: table.scale }) as tf.Tensor2D;
}

/** Rows `ids` of an embedding table -> [T, d]. */
export function embedRows(table: Matrix, ids: tf.Tensor1D): tf.Tensor2D {
  if (table.kind === 'f32') return tf.gather(table.kernel, ids) as tf.Tensor2D;
  checkQ8Backend();
  return runKernel(Q8_GATHER_KERNEL, { w: table.packed, scale: table.scale, indices: ids }) as tf.Tensor2D;
}

/**
 * Fills a q8 model's weights from a float model of the same family, tensor by tensor: weights with the same name
 * are copied, and each `X/kernel` [in, out] or table `X` [rows, cols] becomes `X/q8` and `X/scale`.
 */
export async function quantizeInto(source: readonly NamedWeight[], target: readonly NamedWeight[]): Promise<void> {
  const byName = new Map(target.map((w) => [w.name, w]));
  for (const w of source) {
    const same = byName.get(w.name);
    if (same) {
      same.variable.assign(w.variable);
      continue;
    }
    const base = w.name.endsWith('/kernel') ? w.name.slice(0, -'/kernel'.length) : w.name;
    const packed = byName.get(`${base}/q8`);
    const scale = byName.get(`${base}/scale`);
    if (!packed || !scale) throw new Error(`quantize: the q8 model has no place for ${w.name}`);
    // Kernels are [in, out]: quantise by output row, so transpose; tables are already [rows, cols].
    const rowsFirst = w.name.endsWith('/kernel') ? tf.tidy(() => tf.transpose(w.variable)) : w.variable;
    const [rows, cols] = rowsFirst.shape;
    const values = (await rowsFirst.data()) as Float32Array;
    if (rowsFirst !== w.variable) rowsFirst.dispose();
    const q = quantizeRows(values, rows, cols);
    tf.tidy(() => {
      packed.variable.assign(tf.tensor(q.packed, [rows, cols / 4], 'int32'));
      scale.variable.assign(tf.tensor1d(q.scale, 'float32'));
    });
  }
}
