import { describe, expect, it } from 'vitest';
import { chatContext } from '#test/support/commands.js';
import { runCommandLine } from './dispatch.js';

describe('/context', () => {
  it('turns context on and off and shows the mode', async () => {
    const ctx = chatContext();
    await runCommandLine('/context off', ctx);
    expect(ctx.chat.settings.context).toBe(false);
    await runCommandLine('/context', ctx);
    expect(ctx.out.lines.at(-1)).toMatch(/^context off/);
    await runCommandLine('/context on', ctx);
    expect(ctx.chat.settings.context).toBe(true);
  });

  it('refuses other values in one line', async () => {
    const ctx = chatContext();
    await runCommandLine('/context sometimes', ctx);
    expect(ctx.out.errors).toEqual(['context must be on or off, got "sometimes"']);
  });
});
