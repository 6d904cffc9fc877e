// `inkling quantize`: an int8 variant saved in the lineage, that loads with the real loader and decodes on wasm
// close to its float32 parent; refusals are one line and leave no folder.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { cliContext } from '#test/support/commands.js';
import { useWasmWithFixes } from '#test/support/kernels.js';
import { runArgv } from '../../src/commands/dispatch.js';
import { loadModel } from '../../src/engine/store/checkpoint.js';
import { importHfModel } from '../../src/engine/store/hf-import.js';
import { useTempDir } from '../support/temp.js';

const HF = path.resolve('test/fixtures/hf');
const tempDir = useTempDir();
let modelsDir: string;

beforeAll(async () => {
  await useWasmWithFixes();
  modelsDir = tempDir('inkling-quantize-');
  await importHfModel({ dir: path.join(HF, 'tiny-qwen2'), modelsDir, name: 'qwen' });
  await importHfModel({ dir: path.join(HF, 'tiny-gpt2'), modelsDir, name: 'g2' });
});

async function lastLogits(dir: string, ids: number[]): Promise<Float32Array> {
  const loaded = await loadModel(dir);
  const state = loaded.model.createState();
  const logits = loaded.model.feed(state, ids);
  const values = (await logits.data()) as Float32Array;
  logits.dispose();
  state.dispose();
  loaded.dispose();
  return values;
}

it('saves a q8 variant of its parent that decodes close to it', async () => {
  const ctx = cliContext(modelsDir);
  expect(await runArgv('quantize', ['qwen', '--name', 'qwen-q8'], ctx, 'cli')).toBe('ok');
  // A tiny model's sizes are in kB (not "0 MB -> 0 MB"), and int8 rows take about a quarter of float32's.
  const sizes = /^saved qwen-q8, q8 of qwen: weights (\d+) kB -> (\d+) kB/.exec(ctx.out.lines.join('\n'));
  expect(sizes).not.toBeNull();
  expect(Number(sizes![2])).toBeLessThan(Number(sizes![1]) / 2);
  const manifest = JSON.parse(readFileSync(path.join(modelsDir, 'qwen-q8/manifest.json'), 'utf8'));
  expect(manifest).toMatchObject({ parent: 'qwen', arch: 'llama', config: { quantization: 'q8' } });
  const ids = JSON.parse(readFileSync(path.join(HF, 'tiny-qwen2/reference.json'), 'utf8')).inputs[0] as number[];
  const before = tf.memory().numTensors;
  const [float, q8] = [await lastLogits(path.join(modelsDir, 'qwen'), ids), await lastLogits(path.join(modelsDir, 'qwen-q8'), ids)];
  expect(tf.memory().numTensors).toBe(before);
  const spread = Math.max(...float.map(Math.abs));
  expect(Math.max(...float.map((v, i) => Math.abs(v - q8[i]!))) / spread).toBeLessThan(0.04);
  expect(q8.indexOf(Math.max(...q8))).toBe(float.indexOf(Math.max(...float)));
});

it.each([
  [['g2', '--name', 'g2-q8'], 'cannot quantize g2: q8 is not available for gpt2 models yet', 'g2-q8'],
  [['qwen', '--name', 'qwen'], 'cannot quantize qwen: model qwen already exists', null],
  [['nope', '--name', 'x'], "'nope'", 'x'],
])('refuses %j in one line, leaving no folder', async (argv, message, folder) => {
  const ctx = cliContext(modelsDir);
  expect(await runArgv('quantize', argv, ctx, 'cli')).not.toBe('ok');
  expect(ctx.out.errors).toHaveLength(1);
  expect(ctx.out.errors[0]).toContain(message);
  if (folder) expect(existsSync(path.join(modelsDir, folder))).toBe(false);
});

it('refuses to fine-tune a q8 model, pointing to its float32 base', async () => {
  const ctx = cliContext(modelsDir);
  expect(await runArgv('finetune', ['--from', 'qwen-q8', '--text', 'some text to learn from. '.repeat(40), '--name', 'qq', '--steps', '2'], ctx, 'cli')).not.toBe('ok');
  expect(ctx.out.errors.join('\n')).toContain('qwen-q8 has q8 weights, which are for inference only: fine-tune its float32 base qwen instead');
  expect(existsSync(path.join(modelsDir, 'qq'))).toBe(false);
});
