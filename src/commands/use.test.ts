import { describe, expect, it } from 'vitest';
import { chatContext } from '#test/support/commands.js';
import { runCommandLine } from './dispatch.js';
import { useCommand } from './use.js';

describe('/use', () => {
  it('needs a name', () => {
    expect(() => useCommand.parse([])).toThrow(/^use needs NAME/);
    expect(() => useCommand.parse(['a', 'b'])).toThrow('unexpected argument "b"');
  });

  it('switches the model and names it', async () => {
    const ctx = chatContext();
    await runCommandLine('/use s2', ctx);
    expect(ctx.chat.model?.name).toBe('s2');
    expect(ctx.out.lines).toEqual(['now using s2 (gpt, 12.3k params)']);
  });

  it('reports a missing model in one line and keeps the current one', async () => {
    const ctx = chatContext();
    await runCommandLine('/use s1', ctx);
    await runCommandLine('/use ghost', ctx);
    expect(ctx.out.errors).toEqual(["model 'ghost' not found"]);
    expect(ctx.chat.model?.name).toBe('s1');
  });
});
