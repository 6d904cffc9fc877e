import { describe, expect, it } from 'vitest';
import { chatContext, cliContext } from '#test/support/commands.js';
import { runArgv, runCommandLine } from './dispatch.js';
import { allCommands } from './index.js';

describe('help', () => {
  it('lists the chat commands in the chat, and the CLI ones in the CLI', async () => {
    const chat = chatContext();
    await runCommandLine('/help', chat);
    expect(chat.out.text()).toContain('/use');
    expect(chat.out.text()).not.toMatch(/\/generate\b/);
    const cli = cliContext();
    await runArgv('help', [], cli, 'cli');
    expect(cli.out.text()).toContain('generate');
    expect(cli.out.text()).not.toMatch(/^\s+use\s/m);
  });

  it('ends the chat list with the keys of the input box, and /bye among the ways to quit', async () => {
    const chat = chatContext();
    await runCommandLine('/help', chat);
    const text = chat.out.text();
    for (const key of ['Esc', 'Up/Down', 'Tab', 'Ctrl-C', 'Ctrl-D']) expect(text).toMatch(new RegExp(`^  ${key}\\s`, 'm'));
    expect(text).toContain('/bye');
  });

  it('shows one command, with or without the slash', async () => {
    const ctx = chatContext();
    await runCommandLine('/help /train', ctx);
    expect(ctx.out.lines[0]).toMatch(/^usage: train \[--corpus C\]/);
    expect(ctx.out.lines[0]).toContain('--patience N');
  });

  it('suggests a close command name', async () => {
    const ctx = chatContext();
    await runCommandLine('/help fintune', ctx);
    expect(ctx.out.errors).toEqual(['no command "fintune" (did you mean finetune?) — help lists commands']);
  });

  it('every command has a summary, a usage line, and help that names all its flags', () => {
    for (const command of allCommands()) {
      expect(command.summary.length).toBeGreaterThan(5);
      expect(command.usage.startsWith(command.name)).toBe(true);
      expect(command.help).toContain(command.usage.split(' ')[0]!);
      const spec = (command as { spec?: { options: Record<string, unknown> } }).spec;
      for (const flag of Object.keys(spec?.options ?? {})) expect(command.help).toContain(`--${flag}`);
    }
  });
});
