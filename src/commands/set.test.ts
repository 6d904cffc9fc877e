import { describe, expect, it } from 'vitest';
import { chatContext } from '#test/support/commands.js';
import { runCommandLine } from './dispatch.js';
import { setCommand, settingShortcuts } from './set.js';

describe('/set', () => {
  it('parses names, aliases and values', () => {
    expect(setCommand.parse(['temperature', '0.7'])).toEqual({ name: 'temperature', raw: '0.7' });
    expect(setCommand.parse(['topk', '40'])).toEqual({ name: 'top-k', raw: '40' });
    expect(setCommand.parse(['seed'])).toEqual({ name: 'seed', raw: null });
    expect(setCommand.parse([])).toBeNull();
  });

  it.each([
    [['temperature', '9'], 'temperature must be between 0 and 5, got 9'],
    [['top-p', '0'], 'top-p must be above 0 and at most 1, got 0'],
    [['top-k', '-1'], 'top-k must be at least 0, got -1'],
    [['max-tokens', '2.5'], 'max-tokens needs a whole number, got "2.5"'],
    [['seed', 'lucky'], 'seed needs a whole number, got "lucky"'],
    [['tempreature', '1'], 'unknown setting "tempreature" (did you mean temperature?)'],
    [['context', 'maybe'], 'context must be on or off, got "maybe"'],
    [['temperature', '1', '2'], 'unexpected argument "2"'],
  ])('%j -> %s', (argv, message) => {
    expect(() => setCommand.parse(argv)).toThrow(message);
  });

  it('changes the setting and says so', async () => {
    const ctx = chatContext();
    await runCommandLine('/set top-p 0.9', ctx);
    await runCommandLine('/seed 7', ctx);
    await runCommandLine('/temp 0', ctx);
    await runCommandLine('/max 50', ctx);
    await runCommandLine('/topk 40', ctx);
    await runCommandLine('/set context off', ctx);
    expect(ctx.out.errors).toEqual([]);
    expect(ctx.chat.settings).toEqual({ temperature: 0, topK: 40, topP: 0.9, maxTokens: 50, seed: 7, context: false, probs: false });
    expect(ctx.out.lines).toContain('top-p = 0.9');
    await runCommandLine('/seed random', ctx);
    expect(ctx.chat.settings.seed).toBeNull();
    expect(ctx.out.lines.at(-1)).toBe('seed = random');
  });

  it('leaves settings alone on a bad value', async () => {
    const ctx = chatContext();
    const before = { ...ctx.chat.settings };
    await runCommandLine('/set temperature -1', ctx);
    await runCommandLine('/topp 2', ctx);
    expect(ctx.out.errors).toHaveLength(2);
    expect(ctx.chat.settings).toEqual(before);
  });

  it('shows all settings with no arguments', async () => {
    const ctx = chatContext();
    await runCommandLine('/set', ctx);
    expect(ctx.out.lines[0]).toBe('temperature 0.8  top-k 40  top-p 0.95  max-tokens 200  seed random  context off');
  });

  it('has shortcuts for each sampling setting', () => {
    expect(settingShortcuts.map((c) => c.name)).toEqual(['temp', 'topk', 'topp', 'max', 'seed']);
  });
});
