import { describe, expect, it } from 'vitest';
import { chatContext } from '#test/support/commands.js';
import { contextReach } from './context.js';
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

  it("says how much of the conversation fits the model's window", async () => {
    const ctx = chatContext();
    await ctx.chat.use('s1');
    await runCommandLine('/context on', ctx);
    expect(ctx.out.lines.at(-1)).toBe("context on: earlier turns are part of the prompt, as far as s1's window goes (context: last 64 chars, whole exchanges only)");
    const lstm = { config: { arch: 'lstm', vocabSize: 9, embedding: 8, hidden: 8, layers: 1, dropout: 0 }, tokenizer: { kind: 'word', vocabSize: 9 } } as never;
    expect(contextReach(lstm)).toBe('last 1,024 words');
  });

  it('refuses other values in one line', async () => {
    const ctx = chatContext();
    await runCommandLine('/context sometimes', ctx);
    expect(ctx.out.errors).toEqual(['context must be on or off, got "sometimes"']);
  });
});
