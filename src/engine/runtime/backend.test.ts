import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { describeBackend, initBackend } from './backend.js';

const savedEnv = process.env.INKLING_BACKEND;
afterEach(() => {
  if (savedEnv === undefined) delete process.env.INKLING_BACKEND;
  else process.env.INKLING_BACKEND = savedEnv;
  vi.restoreAllMocks();
});

async function tfjsNodeInstalled(): Promise<boolean> {
  try {
    const specifier = '@tensorflow/tfjs-node';
    await import(specifier);
    return true;
  } catch {
    return false;
  }
}

describe('initBackend', () => {
  it('starts a forced backend once and describes it in one line', async () => {
    const info = await initBackend('wasm');
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.accelerations.slice(0, 5)).toEqual(['transpose-matmul', 'segment-sum', 'zero-copy-slice', 'tanh-exp', 'leading-sum']);
    // The native accelerator is there when built with a BLAS; otherwise the detail says why not.
    const native = info.accelerations.find((a) => a.startsWith('native-blas'));
    if (native) expect(native).toMatch(/^native-blas \(.+\)$/);
    else expect(info.detail).toMatch(/native matmul off/);
    expect(await initBackend()).toBe(info);
    expect(await initBackend('wasm')).toBe(info);
    const line = describeBackend(info);
    expect(line).toMatch(/^backend: wasm \(SIMD, 1 thread[^\n]*\) \+ transpose-matmul, segment-sum, zero-copy-slice/);
    expect(line).not.toContain('\n');
  });

  it('switches when another backend is named, and honours INKLING_BACKEND', async () => {
    const cpu = await initBackend('cpu');
    expect(cpu).toEqual({ name: 'cpu', detail: 'cpu (plain JavaScript)', accelerations: [] });
    expect(tf.getBackend()).toBe('cpu');
    expect(describeBackend(cpu)).toBe('backend: cpu (plain JavaScript)');
    process.env.INKLING_BACKEND = 'wasm';
    expect((await initBackend('wasm')).name).toBe('wasm');
  });

  it('rejects a bad backend name with a one-line message', async () => {
    await expect(initBackend('tpu' as never)).rejects.toThrow(/^--backend must be one of tensorflow, webgpu, wasm, cpu or auto \(got 'tpu'\)$/);
  });

  it('says why a forced tensorflow backend cannot start', async () => {
    if (await tfjsNodeInstalled()) return; // only meaningful where tfjs-node is absent
    const err = await initBackend('tensorflow').catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/^cannot use the tensorflow backend: tfjs-node not installed/);
    expect((err as Error).message).not.toContain('\n');
  });

  it('keeps tfjs quiet: no banner or warnings on the console', async () => {
    const spies = [vi.spyOn(console, 'log'), vi.spyOn(console, 'warn'), vi.spyOn(console, 'info'), vi.spyOn(console, 'error')];
    await initBackend('cpu');
    // The cpu backend prints its "install tfjs-node" banner on its first tensor, unless silenced.
    const t = tf.add(tf.tensor([1, 2]), 1);
    expect(Array.from(await t.data())).toEqual([2, 3]);
    t.dispose();
    await initBackend('wasm');
    tf.dispose(tf.matMul(tf.ones([2, 3]), tf.ones([2, 3]), false, true));
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });

  it('registers gradients and chained ops (tfjs-core alone has neither in Node)', async () => {
    await initBackend('wasm');
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.square(x)))(tf.tensor([1, 2, 3]));
    expect(Array.from(await g.data())).toEqual([2, 4, 6]);
    expect(typeof (g as unknown as { square?: unknown }).square).toBe('function');
  });
});
