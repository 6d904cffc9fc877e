// `npx tsx bench/prefill-ab.ts [--workload d,e] [--prompt 256] [--repeats 5]`: prefill tokens/s of this session's
// prefill work against the code before it, alternating in one process so that load hits all settings alike:
//   before:    the stock Tile and the composite RoPE and RMSNorm ops, products of many rows on 1 BLAS thread;
//   kernels:   run-copy-tile, fused-rope and fused-rmsnorm, still 1 thread;
//   2 threads: the kernels, and products of many rows on 2 BLAS threads (what 'auto' picks on an idle machine).
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { initBackend } from '../src/engine/runtime/backend.js';
import { createModel } from '../src/engine/models/index.js';
import { nativeBlas } from '../src/engine/kernels/native-matmul.js';
import { replaceWasmKernel, stockKernel, type WasmKernelFunc } from '../src/engine/kernels/wasm-internals.js';
import { tileKernel } from '../src/engine/kernels/fixes/tile.js';
import { ROPE_KERNELS } from '../src/engine/kernels/rope.js';
import { RMS_NORM_KERNELS } from '../src/engine/kernels/rms-norm.js';
import { PRETRAINED_SHAPES } from './pretrained-shapes.js';

const { values } = parseArgs({
  options: { workload: { type: 'string', default: 'd,e' }, prompt: { type: 'string', default: '256' }, repeats: { type: 'string', default: '5' } },
});
await initBackend('wasm');
const blas = nativeBlas();
if (!blas) throw new Error('needs the native BLAS addon');
const fused: Record<string, WasmKernelFunc> = { ...ROPE_KERNELS, ...RMS_NORM_KERNELS };

function setting(name: string): void {
  const kernels = name !== 'before';
  replaceWasmKernel('Tile', kernels ? tileKernel : stockKernel('Tile'));
  for (const [kernel, func] of Object.entries(fused)) {
    if (tf.getKernel(kernel, 'wasm')) tf.unregisterKernel(kernel, 'wasm');
    if (kernels) tf.registerKernel({ kernelName: kernel, backendName: 'wasm', kernelFunc: func as unknown as KernelFunc } as KernelConfig);
  }
  blas!.setThreads(name === '2 threads' ? 2 : 1);
}

const SETTINGS = ['before', 'kernels', '2 threads'];
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
for (const shape of PRETRAINED_SHAPES.filter((s) => values.workload.split(',').includes(s.id))) {
  const model = createModel(shape.config()!, 1);
  const prompt = Array.from({ length: Number(values.prompt) }, (_, i) => (i * 7919) % model.config.vocabSize);
  const feed = async () => {
    const state = model.createState();
    const t0 = performance.now();
    const logits = model.feed(state, prompt);
    await logits.data();
    const ms = performance.now() - t0;
    logits.dispose();
    state.dispose();
    return (prompt.length * 1000) / ms;
  };
  const rates: Record<string, number[]> = Object.fromEntries(SETTINGS.map((s) => [s, []]));
  const loadBefore = loadavg()[0];
  for (const s of SETTINGS) {
    setting(s);
    await feed(); // warm-up of each setting
  }
  for (let r = 0; r < Number(values.repeats); r++) {
    for (const s of r % 2 === 0 ? SETTINGS : [...SETTINGS].reverse()) {
      setting(s);
      rates[s].push(await feed());
    }
  }
  setting('kernels');
  blas.restoreThreads();
  const fmt = (v: number[]) => `${median(v).toFixed(0)} (${v.map((x) => x.toFixed(0)).join(', ')})`;
  console.log(`workload ${shape.id}, prompt ${prompt.length}, 1-min load ${loadBefore.toFixed(1)} -> ${loadavg()[0].toFixed(1)}, median tok/s (runs):`);
  for (const s of SETTINGS) console.log(`  ${s.padEnd(10)} ${fmt(rates[s])}`);
  model.dispose();
}
