// pull and import as commands: one success line, a progress line with bytes/rate/ETA, one-line errors; in the chat too.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chatContext, cliContext } from '#test/support/commands.js';
import { startFakeHub, type FakeHub } from '#test/support/fake-hub.js';
import { runArgv, runCommandLine } from './dispatch.js';
import { progressLine } from './hf-download.js';

const HF = path.resolve('test/fixtures/hf');
let hub: FakeHub | null = null;
const saved = process.env.HF_ENDPOINT;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterEach(async () => {
  await hub?.close();
  hub = null;
  if (saved === undefined) delete process.env.HF_ENDPOINT;
  else process.env.HF_ENDPOINT = saved;
});

const modelsDir = () => fs.mkdtemp(path.join(os.tmpdir(), 'inkling-pullcmd-'));

describe('pull and import commands', () => {
  it('inkling pull: progress on stderr, one line naming the model', async () => {
    hub = await startFakeHub('me/tiny-gpt2', path.join(HF, 'tiny-gpt2'));
    process.env.HF_ENDPOINT = hub.url;
    const ctx = cliContext(await modelsDir());
    await runArgv('pull', ['me/tiny-gpt2', '--name', 'tiny'], ctx, 'cli');
    expect(ctx.out.errors).toEqual([]);
    expect(ctx.out.infos.at(-1)).toMatch(/^\[#{20}\] 100% [\d.]+ \/ [\d.]+ MB/);
    expect(ctx.out.lines).toEqual([expect.stringMatching(/^pulled me\/tiny-gpt2 as tiny \(GPT-2, 2 layers, 4 heads, embedding 32, context 64, 37\.0k parameters\)/)]);
  });

  it('/pull and /import in the chat hand the work to the session as data and return at once', async () => {
    const ctx = chatContext();
    await runCommandLine('/pull me/tiny-gpt2 --name tiny --revision v1', ctx);
    expect(ctx.chat.downloads).toEqual([{ kind: 'pull', repo: 'me/tiny-gpt2', name: 'tiny', revision: 'v1' }]);
    expect(ctx.out.lines).toEqual(['pulling me/tiny-gpt2 in the background: /stop cancels it, a later /pull resumes']);
    await runCommandLine(`/import ${path.join(HF, 'tiny-gpt2')}`, ctx);
    expect(ctx.out.errors).toEqual(['a download is running']);
    ctx.chat.stopDownload();
    await runCommandLine(`/import ${path.join(HF, 'tiny-gpt2')}`, ctx);
    expect(ctx.chat.downloads).toEqual([{ kind: 'import', dir: path.join(HF, 'tiny-gpt2') }]);
  });

  it('inkling import: one line naming the model; a second import of the same name is one error line', async () => {
    const ctx = cliContext(await modelsDir());
    await runArgv('import', [path.join(HF, 'tiny-gpt2')], ctx, 'cli');
    expect(ctx.out.errors).toEqual([]);
    expect(ctx.out.lines.at(-1)).toMatch(/^imported tiny-gpt2 .*: inkling generate --model tiny-gpt2, or finetune --from tiny-gpt2$/);
    await runArgv('import', [path.join(HF, 'tiny-gpt2')], ctx, 'cli');
    expect(ctx.out.errors).toEqual([`cannot import ${path.join(HF, 'tiny-gpt2')}: model tiny-gpt2 already exists: pick another --name`]);
  });

  it('draws the progress bar with bytes, rate and time left', () => {
    expect(progressLine({ file: 'model.safetensors', received: 137e6, total: 548e6, bytesPerSecond: 11.8e6, etaSeconds: 35 })).toBe(
      '[#####...............] 25% 137.0 / 548.0 MB, 11.8 MB/s, 35s left (model.safetensors)',
    );
  });
});
