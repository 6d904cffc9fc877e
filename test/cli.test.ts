// The real CLI in a child process: exit codes, one-line errors on stderr, no stack traces.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from './support/temp.js';

const tempDir = useTempDir();

const root = path.resolve(import.meta.dirname, '..');
const modelsDir = tempDir('inkling-cli-');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function inkling(args: string[], env: Record<string, string> = {}, input = ''): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', ...args],
      { cwd: root, env: { ...process.env, INKLING_MODELS_DIR: modelsDir, INKLING_DEBUG: '', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(input);
  });
}

function expectOneLineError(run: Run, code: number, pattern: RegExp): void {
  expect(run.code).toBe(code);
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/^\s+at /m);
}

describe.concurrent('inkling CLI', () => {
  it('--help exits 0 and says where models live', async () => {
    const run = await inkling(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('usage:');
    expect(run.stdout).toContain(`models live in:        ${modelsDir}`);
    expect(run.stdout).toContain('per-user data folder:');
    expect(run.stdout).toMatch(/^\s+train\s/m);
  });

  it('<command> --help shows that command', async () => {
    const run = await inkling(['generate', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^usage: generate --model NAME \[--prompt TEXT\]/);
  });

  it('an unknown command exits 2 with one line', async () => {
    expectOneLineError(await inkling(['trian']), 2, /^unknown command trian \(did you mean train\?\) — inkling --help lists commands$/);
  });

  it('an unknown corpus is one line and a non-zero exit', async () => {
    expectOneLineError(await inkling(['train', '--corpus', 'nosuchcorpus', '--steps', '5']), 2, /^unknown corpus "nosuchcorpus"/);
  });

  it('a missing model is one line and exit 1', async () => {
    expectOneLineError(await inkling(['generate', '--model', 'ghost', '--prompt', 'hi']), 1, /^model 'ghost' not found/);
  });

  it.each([
    [['generate', '--model', 's1', '--prompt', 'x', '--temperature', 'NaN'], /^--temperature needs a number, got "NaN"$/],
    [['generate', '--model', 's1', '--prompt', 'x', '--top-p', '-1'], /^--top-p must be above 0 and at most 1, got -1$/],
    [['train', '--corpus', 'shakespeare', '--steps', 'Infinity'], /^--steps needs a whole number, got "Infinity"$/],
    [['train', '--corpus', 'shakespeare', '--name', '../../etc'], /^invalid model name '..\/..\/etc'/],
    [['--backend', 'gpu', 'models'], /^--backend must be one of tensorflow, webgpu, wasm, cpu, got "gpu"/],
    [['models', '--bogus'], /^unknown flag "--bogus" for models/],
  ])('bad flags %j exit 2 with one line', async (args, pattern) => {
    expectOneLineError(await inkling(args), 2, pattern);
  });

  it('a bad INKLING_BACKEND is a one-line usage error', async () => {
    expectOneLineError(await inkling(['models'], { INKLING_BACKEND: 'quantum' }), 2, /^INKLING_BACKEND must be one of/);
  });

  it('models honours INKLING_MODELS_DIR and --models-dir', async () => {
    const other = tempDir('inkling-cli-other-');
    const run = await inkling(['models', '--models-dir', other]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`no models yet in ${other}|^name`, 'm'));
  });

  it('export refuses a GPT model in one line (exit 1) and needs --format (exit 2)', async () => {
    const out = path.join(tempDir('inkling-cli-export-'), 'web');
    expectOneLineError(await inkling(['export', 'gutenberg-gpt', '--format', 'tfjs-layers', out]), 1, /^tfjs-layers has no GPT layers: /);
    expectOneLineError(await inkling(['export', 'gutenberg-lstm', out]), 2, /^--format is required/);
    expectOneLineError(await inkling(['export', 'gutenberg-lstm', '--format', 'onnx', out]), 2, /^--format must be one of /);
  });

  it('generate reads the prompt from a pipe, and from stdin for --prompt -', async () => {
    const flags = ['--model', 'gutenberg-gpt', '--max-tokens', '3', '--seed', '1', '--backend', 'cpu'];
    const piped = await inkling(['generate', ...flags], {}, 'The sea was calm\n');
    expect(piped.code).toBe(0);
    expect(piped.stdout).toMatch(/^The sea was calm\S*.{0,12}\n$/s);
    const dash = await inkling(['generate', ...flags, '--prompt', '-', '--only-new'], {}, 'The sea was calm\n');
    expect(dash.code).toBe(0);
    expect(dash.stdout).not.toContain('The sea');
  });

  it('generate with an empty pipe and no --prompt exits 2 with one line', async () => {
    expectOneLineError(await inkling(['generate', '--model', 'gutenberg-gpt']), 2, /^the prompt on stdin is empty/);
  });

  it('chat MODEL: a missing model is one line and exit 1; without a terminal, one line and exit 1; two models exit 2', async () => {
    expectOneLineError(await inkling(['chat', 'gutenberg-lsmt']), 1, /^model 'gutenberg-lsmt' not found.*did you mean gutenberg-lstm\?/);
    expectOneLineError(await inkling(['chat', 'gutenberg-lstm']), 1, /^error: the chat needs an interactive terminal \(stdin is not a TTY\): use the command line/);
    expectOneLineError(await inkling(['chat', 'a', 'b']), 2, /^unexpected argument "b" for chat/);
  });

  it('with no command and no TTY, says how to use the CLI and exits 1', async () => {
    const run = await inkling([]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('needs an interactive terminal');
    expect(run.stderr).toContain('inkling --help');
  });
});
