// Bad input: the chat's slash-command parser and the CLI entry (in-process through main(argv))
// answer empty, huge, unicode, control-character, unbalanced-quote and odd-number input with exactly
// one error line, and never throw. (src/commands/dispatch.test.ts fuzzes the parsers themselves.)
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { chatContext } from '../support/commands.js';
import { runCommandLine } from '../../src/commands/dispatch.js';
import { main } from '../../src/cli.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();

const MB = 'x'.repeat(1_000_000);

function expectCleanLine(line: string | undefined): void {
  expect(line).toBeDefined();
  expect(line).not.toMatch(/[\n\r\u0000-\u001f\u007f]/);
  expect(line!.length).toBeLessThan(400);
  expect(line).not.toMatch(/\bat .*\.[tj]s:\d+/);
}

describe('chat: huge and adversarial slash commands give one error line', () => {
  const bad = [
    '/',
    '/   ',
    '/' + MB,
    '/set temperature ' + MB,
    '/set ' + MB + ' 1',
    '/use ' + MB,
    '/use "' + MB,
    '/train --corpus ' + MB,
    '/train --corpus shakespeare --steps ' + '9'.repeat(10_000),
    '/train --corpus shakespeare --name ' + MB,
    '/train --corpus shakespeare --minutes -Infinity',
    '/train --corpus shakespeare --lr NaN',
    '/train --corpus shakespeare --steps -5',
    '/train --corpus "shakespeare --steps 5',
    "/finetune --from s1 --name 'v --data x",
    '/finetune --from ../s1 --name v --data shakespeare',
    '/compare s1 /etc/passwd hi',
    '/eval --model "\u0000"',
    '/models \u001b[2J\u001b[H',
    '/help \u202e\u0000🙂',
    '/save ' + '\u0000',
    '/topk 1e309',
    '/temp -1',
    '/seed 0x10',
    '/max-tokens 1.5',
    '/\u200b',
    '/set temperature "0.5 1"',
  ];
  it.each(bad.map((b) => [JSON.stringify(b.slice(0, 50)), b]))('%s', async (_label, input) => {
    const ctx = chatContext();
    await expect(runCommandLine(input, ctx)).resolves.toBeUndefined();
    expect(ctx.out.errors).toHaveLength(1);
    expectCleanLine(ctx.out.errors[0]);
    expect(ctx.chat.started).toEqual([]);
  });

  it('a huge pasted fine-tuning text parses (it is data, not an error)', async () => {
    const { finetuneCommand } = await import('../../src/commands/finetune.js');
    const args = finetuneCommand.parse(finetuneCommand.splitChat!('--from s1 --name v --text ' + MB));
    expect(args).toMatchObject({ kind: 'finetune', name: 'v', from: 's1' });
    expect(args.text).toHaveLength(MB.length);
    expect(args.command!.length).toBeLessThan(400);
  });

  it('random bytes after every command never throw and give at most one error line', async () => {
    const { allCommands } = await import('../../src/commands/index.js');
    const names = allCommands().flatMap((c) => [c.name, ...(c.aliases ?? [])]).filter((n) => n !== 'quit' && n !== 'exit');
    let seed = 23;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pieces = [' ', '"', "'", '\\', '--', '-', '=', 'NaN', '-1', 'Infinity', '1e400', '\u0000', '\u0007', '\u001b', '\t', '\r', '\u2028',
      'é', '🙂', '\ud800', '../', '/x', 'con', '.tmp', '--name', '--corpus', '--steps', '--model', '--text', '0', '0.5'];
    for (let i = 0; i < 400; i++) {
      const name = names[Math.floor(rand() * names.length)]!;
      let input = '/' + name;
      const length = Math.floor(rand() * 12);
      for (let j = 0; j < length; j++) input += pieces[Math.floor(rand() * pieces.length)];
      const ctx = chatContext();
      await expect(runCommandLine(input, ctx), input).resolves.toBeUndefined();
      expect(ctx.out.errors.length, input).toBeLessThanOrEqual(1);
      for (const e of ctx.out.errors) expectCleanLine(e);
    }
  });
});

/** main(argv) in-process: stdout/stderr captured, process.exit turned into a thrown code. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => ((stderr += String(chunk)), true));
  const exit = vi.spyOn(process, 'exit').mockImplementation(((code?: number) => {
    throw new ExitCalled(code ?? 0);
  }) as never);
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } catch (error) {
    if (error instanceof ExitCalled) return { code: error.code, stdout, stderr };
    throw error;
  } finally {
    out.mockRestore();
    err.mockRestore();
    exit.mockRestore();
  }
}

class ExitCalled extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

describe('CLI main(argv): bad argv gives exit 1 or 2 and one stderr line', () => {
  const modelsDir = tempDir('inkling-fuzz-cli-');

  const cases: string[][] = [
    [''],
    ['\u0000'],
    [MB],
    ['--models-dir'],
    ['--models-dir', ''],
    ['--models-dir', 'a\u0000b', 'models'],
    ['--backend'],
    ['--backend', 'NaN', 'models'],
    ['--bogus'],
    ['🙂'],
    ['models', MB],
    ['train', '--corpus', MB],
    ['train', '--corpus', 'shakespeare', '--steps', 'NaN'],
    ['train', '--corpus', 'shakespeare', '--steps', '-1'],
    ['train', '--corpus', 'shakespeare', '--minutes', 'Infinity'],
    ['train', '--corpus', 'shakespeare', '--name', '/abs/path'],
    ['train', '--corpus', 'shakespeare', '--name', 'con'],
    ['train', '--corpus', 'shakespeare', '--name', '\u001b[31mred'],
    ['generate', '--model', '../../etc', '--prompt', 'x'],
    ['generate', '--model', 'm', '--prompt', 'x', '--max-tokens', '1e999'],
    ['generate', '--model', 'm', '--prompt'],
    ['eval', '--model', '"unbalanced'],
    ['finetune', '--from', 'a', '--name', 'a', '--data', 'x.txt'],
    ['finetune', '--from', '..', '--name', 'b', '--data', 'x.txt'],
    ['use', 'x'],
  ];
  it.each(cases.map((c) => [JSON.stringify(c).slice(0, 60), c]))('%s', async (_label, args) => {
    const run = await cli(['--models-dir', modelsDir, ...args]);
    expect(run.code, run.stderr).toBeGreaterThan(0);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines, run.stderr).toHaveLength(1);
    expectCleanLine(lines[0]);
  });

  it('random argv never throws; every failure is one line', async () => {
    let seed = 5;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    // No shipped corpus names and no existing files: nothing here may start a real training run.
    const commands = ['train', 'finetune', 'generate', 'eval', 'models', 'corpora', 'presets', 'help', 'use', 'set', 'zz', '--backend', '-h'];
    const pieces = ['--', '-', '--name', '--corpus', '--model', '--prompt', '--from', '--data', '--steps', '--json', '--backend', 'cpu',
      'NaN', '-1', 'Infinity', '1e999', '', ' ', '"', "'", '\u0000', '\u001b[2J', '🙂', '\ud800', '../x', '/abs', 'con', 'x'.repeat(3000), '3'];
    for (let i = 0; i < 150; i++) {
      const argv = [commands[Math.floor(rand() * commands.length)]!];
      for (let j = Math.floor(rand() * 6); j > 0; j--) argv.push(pieces[Math.floor(rand() * pieces.length)]!);
      const run = await cli(['--models-dir', modelsDir, ...argv]);
      if (run.code === 0) continue;
      const lines = run.stderr.trimEnd().split('\n');
      expect(lines, JSON.stringify(argv)).toHaveLength(1);
      expectCleanLine(lines[0]);
    }
  });

  it('does not pile up SIGINT handlers across runs', async () => {
    const before = process.listenerCount('SIGINT');
    for (let i = 0; i < 3; i++) await cli(['--models-dir', modelsDir, 'presets']);
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});
