// `inkling generate --chat`: an imported instruct model answers one message through its own template (the
// reference greedy reply for the fixture's system prompt), and a base model is refused in one line.
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, expect, it } from 'vitest';
import { cliContext } from '#test/support/commands.js';
import { runArgv } from '../../src/commands/dispatch.js';
import { visible } from '../../src/engine/sample.js';
import { loadModel } from '../../src/engine/store/checkpoint.js';
import { importHfModel } from '../../src/engine/store/hf-import.js';

const HF = path.resolve('test/fixtures/hf');
let modelsDir: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  modelsDir = await fs.mkdtemp(path.join(os.tmpdir(), 'inkling-chat-cli-'));
  await importHfModel({ dir: path.join(HF, 'tiny-llama'), modelsDir, name: 'chatty' });
  await importHfModel({ dir: path.join(HF, 'tiny-llama-untied'), modelsDir, name: 'plain' });
});

it('answers --chat with --system through the template: the reference greedy reply', async () => {
  const ref = JSON.parse(readFileSync(path.join(HF, 'tiny-llama/reference.json'), 'utf8')).greedy as { tokens: number[] };
  const ctx = cliContext(modelsDir);
  const outcome = await runArgv('generate', ['--model', 'chatty', '--chat', 'Hi there', '--system', 'Be brief.', '--temperature', '0', '--max-tokens', '20'], ctx, 'cli');
  expect(outcome).toBe('ok');
  const loaded = await loadModel(path.join(modelsDir, 'chatty'));
  expect(ctx.out.written).toBe(`${visible(loaded.tokenizer.decode(ref.tokens))}\n`);
  loaded.dispose();
});

it('refuses --chat for a base model in one line', async () => {
  const ctx = cliContext(modelsDir);
  const outcome = await runArgv('generate', ['--model', 'plain', '--chat', 'Hi'], ctx, 'cli');
  expect(outcome).not.toBe('ok');
  expect(ctx.out.errors.join('\n')).toContain('plain is a base model (no chat template): give it --prompt TEXT to continue');
  expect(ctx.out.errors).toHaveLength(1);
});
