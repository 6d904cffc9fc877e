import { describe, expect, it } from 'vitest';
import { chatContext } from '#test/support/commands.js';
import { runCommandLine } from './dispatch.js';

describe('/stop, /clear, /quit', () => {
  it('/stop says when nothing runs, and stops a run', async () => {
    const ctx = chatContext();
    await runCommandLine('/stop', ctx);
    expect(ctx.out.lines).toEqual(['no training is running']);
    await runCommandLine('/train --corpus shakespeare --name run1', ctx);
    await runCommandLine('/stop', ctx);
    expect(ctx.out.lines.at(-1)).toBe('stopping run1: saving a checkpoint first');
    expect(ctx.chat.training?.running).toBe(false);
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
