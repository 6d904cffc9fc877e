/**
 * Hand-run probe of the wasm kernel fixes (not a test): stock vs pure-JS fixes vs native BLAS throughput for matmuls as backprop uses
 * them, an embedding (gather) gradient loop, and split. Usage: npx tsx bench/kernel-probe.ts
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/engine/runtime/backend.js';
import { installWasmKernelFixes, uninstallWasmKernelFixes } from '../src/engine/kernels/index.js';
import { loadNativeBlas } from '../src/engine/kernels/native-blas.js';
import { useNativeBlas } from '../src/engine/kernels/native-matmul.js';

async function timeIt(f: () => tf.Tensor | tf.Tensor[], minMs = 400): Promise<number> {
  const run = async () => {
    const out = tf.tidy(f);
    const outs = Array.isArray(out) ? out : [out];
    await outs[0].data();
    tf.dispose(outs);
  };
  await run();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    await run();
    n++;
  }
  return (performance.now() - start) / n;
}

await initBackend('wasm');
const s = 256;
const a = tf.randomNormal([s, s]);
const b = tf.randomNormal([s, s]);
const x3 = tf.randomNormal([32, 64, 128]);
const w = tf.randomNormal([128, 512]);
const table = tf.randomNormal([10000, 128]);
const ids = tf.randomUniform([32, 32], 0, 10000, 'int32');
const qk = [tf.randomNormal([128, 64, 32]), tf.randomNormal([128, 64, 32])];
const big = tf.randomNormal([32, 64, 384]);
const dy = tf.randomNormal([32, 64, 512]);
const x2 = tf.randomNormal([2048, 128]);
const flops = (ms: number, f: number) => `${(f / ms / 1e6).toFixed(2)} GFLOP/s`;

const cases: Array<[string, () => tf.Tensor | tf.Tensor[], number]> = [
  ['matmul 256^3 (no transpose)', () => tf.matMul(a, b), 2 * s ** 3],
  ['matmul 256^3 transposeA', () => tf.matMul(a, b, true, false), 2 * s ** 3],
  ['matmul 256^3 transposeB', () => tf.matMul(a, b, false, true), 2 * s ** 3],
  ['dense grad dW [32x64,128]^T x [.,512]', () => tf.matMul(x2, tf.reshape(dy, [2048, 512]), true, false), 2 * 2048 * 128 * 512],
  ['attention q k^T batch 128 (64x32x64)', () => tf.matMul(qk[0], qk[1], false, true), 2 * 128 * 64 * 64 * 32],
  ['gather grad, table 10000x128, 1024 ids', () => tf.grad((t: tf.Tensor) => tf.sum(tf.gather(t, ids)))(table), 0],
  ['split [32,64,384] into 3 on the last axis', () => tf.split(big, 3, 2), 0],
  ['bias grad: sum [32,64,512] over [0,1]', () => tf.sum(dy, [0, 1]), 0],
  ['dense fwd+grad x[32,64,128] w[128,512]', () => tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.matMul(p, q)))([x3, w]), 2 * 3 * 2048 * 128 * 512],
];

const blas = loadNativeBlas().blas;
const show = (ms: number, flop: number) => `${ms.toFixed(2)} ms${flop ? ` (${flops(ms, flop)})` : ''}`;
for (const [name, f, flop] of cases) {
  uninstallWasmKernelFixes();
  let stock = 'fails';
  let stockMs = NaN;
  try {
    stockMs = await timeIt(f);
    stock = show(stockMs, flop);
  } catch (err) {
    stock = 'fails (kernel missing)';
  }
  installWasmKernelFixes();
  useNativeBlas(null);
  const jsMs = await timeIt(f);
  let native = 'n/a';
  if (blas) {
    useNativeBlas(blas);
    native = show(await timeIt(f), flop);
  }
  const speedup = Number.isFinite(stockMs) ? ` x${(stockMs / jsMs).toFixed(1)}` : '';
  process.stdout.write(`${name.padEnd(42)} stock ${stock.padEnd(26)} pure-JS ${(show(jsMs, flop) + speedup).padEnd(32)} native ${native}\n`);
}
