import { describe, expect, it } from 'vitest';
import { chatContext } from '#test/support/commands.js';
import { runCommandLine } from './dispatch.js';

describe('/stop, /clear, /quit', () => {
  it('/stop says when nothing runs, and stops a run', async () => {
    const ctx = chatContext();
    await runCommandLine('/stop', ctx);
    expect(ctx.out.lines).toEqual(['nothing is running: no training, no download']);
    await runCommandLine('/train --corpus shakespeare --name run1', ctx);
    await runCommandLine('/stop', ctx);
    expect(ctx.out.lines.at(-1)).toBe('stopping run1: saving a checkpoint first');
    expect(ctx.chat.training?.running).toBe(false);
  });

  it('/stop ends a background pull; with a training running too, it asks which', async () => {
    const ctx = chatContext();
    await runCommandLine('/pull me/gpt2', ctx);
    await runCommandLine('/train --corpus shakespeare --name run1', ctx);
    await runCommandLine('/stop', ctx);
    expect(ctx.out.errors).toEqual(['run1 is training and me/gpt2 is downloading: /stop training or /stop download']);
    await runCommandLine('/stop download', ctx);
    expect(ctx.out.lines.at(-1)).toBe('stopping the pull of me/gpt2');
    expect(ctx.chat.download).toBeNull();
    expect(ctx.chat.training?.running).toBe(true);
    await runCommandLine('/stop download', ctx);
    expect(ctx.out.lines.at(-1)).toBe('no download is running');
    await runCommandLine('/stop', ctx);
    expect(ctx.out.lines.at(-1)).toBe('stopping run1: saving a checkpoint first');
  });

  it('/clear and /quit (and /exit) call the session', async () => {
    const ctx = chatContext();
    await runCommandLine('/clear', ctx);
    await runCommandLine('/exit', ctx);
    await runCommandLine('/quit', ctx);
    expect(ctx.chat.calls).toEqual(['clear', 'quit', 'quit']);
    expect(ctx.out.errors).toEqual([]);
  });
});
