import { describe, expect, it } from 'vitest';
import { chatContext } from '#test/support/commands.js';
import { runCommandLine } from './dispatch.js';

describe('/show', () => {
  it('shows settings and says when no model is loaded', async () => {
    const ctx = chatContext();
    await runCommandLine('/show', ctx);
    expect(ctx.out.text()).toContain('settings: temperature 0.8');
    expect(ctx.out.text()).toContain('model: none loaded');
  });

  it('describes the current model and a running training', async () => {
    const ctx = chatContext();
    await ctx.chat.use('s1');
    await runCommandLine('/train --corpus shakespeare --steps 10 --name fresh', ctx);
    await runCommandLine('/show', ctx);
    const text = ctx.out.lines.at(-1)!;
    expect(text).toContain('model: s1 (gpt, 12.3k params; 2 layers, 2 heads, embedding 32, context 64)');
    expect(text).toContain('corpus shakespeare  step 120  best val 2.35');
    expect(text).toContain('training: fresh (train) running');
  });

  it('lists the backend in full (the first screen has one short line)', async () => {
    const ctx = chatContext();
    Object.assign(ctx.chat, { backendDetail: 'backend: wasm (SIMD, 1 thread; webgpu: no GPU device) + transpose-matmul, native-blas (OpenBLAS)' });
    await runCommandLine('/show', ctx);
    expect(ctx.out.text()).toContain('backend: wasm (SIMD, 1 thread; webgpu: no GPU device) + transpose-matmul, native-blas (OpenBLAS)');
  });

  it('takes no arguments', async () => {
    const ctx = chatContext();
    await runCommandLine('/show me', ctx);
    expect(ctx.out.errors).toEqual(['unexpected argument "me" for show — usage: show']);
  });
});
