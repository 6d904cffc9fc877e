import { describe, expect, it } from 'vitest';
import { chatContext } from '#test/support/commands.js';
import { compareCommand } from './compare.js';
import { runCommandLine } from './dispatch.js';

describe('/compare', () => {
  it('keeps the prompt verbatim as the rest of the line', () => {
    expect(compareCommand.splitChat!(' a  b  it\'s "odd"  ')).toEqual(['a', 'b', 'it\'s "odd"']);
    expect(compareCommand.parse(['a', 'b'])).toEqual({ a: 'a', b: 'b', prompt: '\n' });
    expect(() => compareCommand.parse(['a'])).toThrow(/^compare needs B/);
    expect(() => compareCommand.parse(['../a', 'b'])).toThrow("invalid model name '../a'");
  });

  it('runs both models with the same prompt and seed', async () => {
    const ctx = chatContext();
    await runCommandLine("/compare s1 s2 O Romeo, wherefore art thou", ctx);
    expect(ctx.out.errors).toEqual([]);
    const [first, second] = ctx.chat.calls;
    const seed = first!.split('|')[2];
    expect(first).toBe(`s1|O Romeo, wherefore art thou|${seed}`);
    expect(second).toBe(`s2|O Romeo, wherefore art thou|${seed}`);
    const lines = ctx.out.lines[0]!.split('\n');
    expect(lines[0]).toBe(`same prompt, seed ${seed}:`);
    expect(lines[1]).toMatch(/^s1 {2}3 tokens, 42 tok\/s\s+│ s2 {2}3 tokens, 42 tok\/s$/);
    expect(lines.slice(2).join('\n')).toContain('s1 says hi');
    expect(lines.slice(2).join('\n')).toContain('s2 says hi');
  });

  it("shows an instruct model's answer on its own and a continuation after its prompt", async () => {
    const ctx = chatContext();
    const plain = ctx.chat.generateWith.bind(ctx.chat);
    ctx.chat.generateWith = async (name, prompt, options, onText, onStart) => {
      onStart?.({ chat: name === 's1' });
      return plain(name, prompt, options, onText);
    };
    await runCommandLine('/compare s1 s2 hello', ctx);
    const rows = ctx.out.lines[0]!.split('\n').slice(2).map((row) => row.split('│').map((cell) => cell.trim()));
    expect(rows[0]).toEqual(['s1 says hi', 'hellos2 says hi']);
    expect(ctx.out.lines[0]).not.toContain('hellos1');
  });

  it('uses the fixed seed when one is set, and reports a missing model in one line', async () => {
    const ctx = chatContext();
    ctx.chat.setSetting('seed', 5);
    await runCommandLine('/compare s1 ghost hi', ctx);
    expect(ctx.chat.calls[0]).toBe('s1|hi|5');
    expect(ctx.out.errors).toEqual(["model 'ghost' not found"]);
  });
});
