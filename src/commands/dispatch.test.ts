import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chatContext, cliContext } from '#test/support/commands.js';
import { commandsFor, completeInput, runArgv, runCommandLine } from './dispatch.js';

describe('runCommandLine', () => {
  it('runs a chat command', async () => {
    const ctx = chatContext();
    await runCommandLine('/set temperature 0.5', ctx);
    expect(ctx.out.errors).toEqual([]);
    expect(ctx.chat.settings.temperature).toBe(0.5);
  });

  it('answers an unknown command with one line and a suggestion when close', async () => {
    const ctx = chatContext();
    await runCommandLine('/foo', ctx);
    await runCommandLine('/hlep', ctx);
    await runCommandLine('/nope', ctx);
    await runCommandLine('/modls', ctx);
    expect(ctx.out.errors).toEqual([
      'unknown command /foo — /help lists commands',
      'unknown command /hlep (did you mean /help?) — /help lists commands',
      // Two letters of four in common with /topk is no likeness.
      'unknown command /nope — /help lists commands',
      'unknown command /modls (did you mean /models?) — /help lists commands',
    ]);
  });

  it('refuses a chat-only command in the CLI and a CLI-only one in the chat', async () => {
    const cli = cliContext();
    expect(await runArgv('use', ['s1'], cli, 'cli')).toBe('usage');
    expect(cli.out.errors).toEqual(['use works only in the chat: run inkling with no command, then /use']);
    const chat = chatContext();
    expect(commandsFor('chat').some((c) => c.name === 'use')).toBe(true);
    expect(commandsFor('cli').some((c) => c.name === 'use')).toBe(false);
    await runCommandLine('/', chat);
    expect(chat.out.errors).toEqual(['type a command after / — /help lists commands']);
  });

  it('shows a command help for --help instead of running it', async () => {
    const ctx = chatContext();
    await runCommandLine('/set --help', ctx);
    expect(ctx.out.lines[0]).toMatch(/^usage: set/);
    expect(ctx.out.errors).toEqual([]);
  });

  it('reports parse and run errors as one line, unexpected errors prefixed', async () => {
    const ctx = chatContext();
    await runCommandLine('/use nope', ctx);
    expect(ctx.out.errors).toEqual(["model 'nope' not found"]);
    ctx.chat.use = () => Promise.reject(new Error('boom\n    at somewhere (file.ts:1:1)'));
    await runCommandLine('/use s1', ctx);
    expect(ctx.out.errors[1]).toBe('error: boom');
  });

  it('splits quoted arguments, and an unclosed quote runs to the end', async () => {
    const ctx = chatContext();
    await runCommandLine('/set "temperature" \'0.25', ctx);
    expect(ctx.out.errors).toEqual([]);
    expect(ctx.chat.settings.temperature).toBe(0.25);
  });
});

describe('fuzz: bad input never throws and gives exactly one error line', () => {
  const bad = [
    '/zz' + 'x'.repeat(100_000),
    '/\u0000\u0007\u001b[31m',
    '/ünïcødé 🙂',
    '/set temperature NaN',
    '/set temperature -1',
    '/set temperature Infinity',
    '/set temperature 1e999',
    '/set top-p 0',
    '/set top-k -1',
    '/set top-k 1.5',
    '/set max-tokens 0',
    '/set seed -1',
    '/set seed 1e40',
    '/set warmth 1',
    "/temp '",
    '/topk "\u0000"',
    '/use "',
    '/use ../etc/passwd',
    '/models --json=1',
    '/models "unbalanced',
    '/help nosuchcommand',
    '/context maybe',
    '/set\ttemperature\nfoo',
  ];
  it.each(bad.map((b) => [b.slice(0, 40), b]))('%j', async (_label, input) => {
    const ctx = chatContext();
    await expect(runCommandLine(input, ctx)).resolves.toBeUndefined();
    expect(ctx.out.errors).toHaveLength(1);
    expect(ctx.out.errors[0]).not.toMatch(/[\n\r\u0000-\u001f]/);
    expect(ctx.out.errors[0]!.length).toBeLessThan(400);
    expect(ctx.out.errors[0]).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('random strings never throw', async () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const alphabet = ['/', 's', 'e', 't', ' ', '"', "'", '-', '-', '=', '\\', '\u0000', 'é', '🙂', '1', '.', 'N', 'a', '\n'];
    for (let i = 0; i < 300; i++) {
      const length = Math.floor(rand() * 30);
      let input = '/';
      for (let j = 0; j < length; j++) input += alphabet[Math.floor(rand() * alphabet.length)];
      const ctx = chatContext();
      await runCommandLine(input, ctx);
      expect(ctx.out.errors.length).toBeLessThanOrEqual(1);
      for (const e of ctx.out.errors) expect(e).not.toContain('\n');
    }
  });
});

describe('completeInput', () => {
  it('completes command names, setting names and values', async () => {
    const ctx = chatContext();
    expect(await completeInput('/se', ctx)).toEqual(['/set', '/seed']);
    expect(await completeInput('/ex', ctx)).toEqual(['/exit']);
    expect(await completeInput('/set te', ctx)).toEqual(['temperature']);
    expect(await completeInput('/context o', ctx)).toEqual(['on', 'off']);
    expect(await completeInput('/models --j', ctx)).toEqual(['--json']);
    expect(await completeInput('/help us', ctx)).toEqual(['use']);
    expect(await completeInput('hello', ctx)).toEqual([]);
    expect(await completeInput('/nosuch x', ctx)).toEqual([]);
    expect(await completeInput('/set "', ctx)).toEqual(expect.any(Array));
  });

  it('completes flag values: choices, corpora and flags after values', async () => {
    const ctx = chatContext();
    expect(await completeInput('/train --arch ', ctx)).toEqual(['gpt', 'lstm', 'gru']);
    expect(await completeInput('/train --corpus shakespeare-m', ctx)).toEqual(['shakespeare-macbeth']);
    expect(await completeInput('/train --corpus shakespeare --st', ctx)).toEqual(['--steps']);
    expect(await completeInput('/train --preset na', ctx)).toEqual(['nano-cpu']);
  });

  it('lists only the presets of the --arch given earlier on the line', async () => {
    const ctx = chatContext();
    expect(await completeInput('/train --arch lstm --preset ', ctx)).toEqual(['char', 'word', 'tiny']);
    expect(await completeInput('/train --arch=gpt --corpus x --preset ', ctx)).toEqual(['nano-cpu', 'small', 'tiny']);
    expect(await completeInput('/train --preset ', ctx)).toEqual(expect.arrayContaining(['nano-cpu', 'char']));
  });

  it('completes file paths after --corpus and --data, folders ending in a slash', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'inkling-paths-'));
    try {
      mkdirSync(path.join(dir, 'poems'));
      writeFileSync(path.join(dir, 'poems', 'sea.txt'), 'x');
      writeFileSync(path.join(dir, 'prose.txt'), 'x');
      writeFileSync(path.join(dir, '.hidden'), 'x');
      const ctx = chatContext();
      expect(await completeInput(`/train --corpus ${dir}/p`, ctx)).toEqual([`${dir}/poems/`, `${dir}/prose.txt`]);
      expect(await completeInput(`/finetune --from s1 --data ${dir}/poems/`, ctx)).toEqual([`${dir}/poems/sea.txt`]);
      expect(await completeInput(`/train --corpus ${dir}/`, ctx)).not.toContain(`${dir}/.hidden`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('fuzz: every parser answers bad argv with one CommandError line', () => {
  it('never throws anything else', async () => {
    const { allCommands } = await import('./index.js');
    const { CommandError } = await import('./types.js');
    const pieces = ['--', '-', '--help=', '--steps', '--temperature', '--top-p', '--name', '--corpus', '--from', '--text', '--model', '--prompt',
      'NaN', '-1', 'Infinity', '-Infinity', '1e309', '0x1f', '', ' ', '"', "'", '\u0000', '\u001b[2J', '🙂', 'é', '../x', '/abs', 'a'.repeat(5000), '3', '0.5'];
    let seed = 11;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const command of allCommands()) {
      for (let i = 0; i < 150; i++) {
        const argv = Array.from({ length: Math.floor(rand() * 6) }, () => pieces[Math.floor(rand() * pieces.length)]!);
        try {
          command.parse(argv);
        } catch (error) {
          expect(error, `${command.name} ${JSON.stringify(argv)}`).toBeInstanceOf(CommandError);
          expect((error as Error).message, `${command.name} ${JSON.stringify(argv)}`).not.toMatch(/[\n\r\u0000]/);
        }
      }
    }
  });
});
