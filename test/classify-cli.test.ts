// The classifier commands through the real CLI: a CSV with quoted newlines and an over-long text
// trains and labels; every bad input is one line on stderr, a non-zero exit, and no model folder.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const modelsDir = mkdtempSync(path.join(tmpdir(), 'inkling-classify-cli-'));
const dataDir = mkdtempSync(path.join(tmpdir(), 'inkling-classify-data-'));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function inkling(args: string[], stdin = ''): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', '--backend', 'wasm', ...args],
      { cwd: root, env: { ...process.env, INKLING_MODELS_DIR: modelsDir, INKLING_DEBUG: '' }, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(stdin);
  });
}

function data(name: string, content: string | Buffer): string {
  const file = path.join(dataDir, name);
  writeFileSync(file, content);
  return file;
}

/** stderr minus the backend line the CLI prints before loading a model. */
const errorLines = (run: Run) => run.stderr.trimEnd().split('\n').filter((l) => !l.startsWith('backend:'));

const sea = 'the sea rolled grey and cold against the ship, and the whale rose';
const love = 'she smiled at him across the drawing room, and her heart was glad';

describe('inkling finetune --task classify and inkling classify', () => {
  it('trains from a CSV with quoted newlines, reports a cut text, and labels --text and stdin lines as JSON', async () => {
    const rows = ['text,label'];
    for (let i = 0; i < 12; i++) rows.push(`"${sea},\nline ${i}",sea`, `"${love}; ""quoted"" ${i}",love`);
    rows.push(`"${`${sea} `.repeat(60)}",sea`);
    const train = await inkling(['finetune', '--task', 'classify', '--from', 'gutenberg-lstm', '--data', data('moods.csv', rows.join('\n') + '\n'), '--name', 'moods', '--epochs', '20']);
    expect(train.stderr).not.toMatch(/error/);
    expect(train.code).toBe(0);
    expect(train.stdout).toMatch(/20 train \/ 5 held-out rows, stratified/);
    expect(train.stdout).toMatch(/1 text\(s\) longer than 512 tokens were cut to their first 512/);
    expect(train.stdout).toMatch(/^ {2}majority class\s/m);
    expect(train.stdout).toMatch(/^ {2}char n-gram LR\s/m);
    expect(train.stdout).toMatch(/saved classifier moods/);

    const one = await inkling(['classify', '--model', 'moods', '--text', 'the whale and the grey sea']);
    expect(one.code).toBe(0);
    const result = JSON.parse(one.stdout.trim()) as { label: string; probabilities: Record<string, number> };
    expect(Object.keys(result.probabilities)).toEqual(['love', 'sea']);
    expect(result.probabilities.love! + result.probabilities.sea!).toBeCloseTo(1, 3);

    const piped = await inkling(['classify', '--model', 'moods'], `${sea}\n\n${love}\n`);
    expect(piped.code).toBe(0);
    expect(piped.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { text: string }).text)).toEqual([sea, love]);

    const models = await inkling(['models']);
    expect(models.stdout).toMatch(/└─ moods {2}\(classify, macro-F1 \d\.\d{3}\)/);
  }, 240_000);

  it.each([
    ['a missing label column', 'nolabel.csv', 'text,kind\nhello,a\nthere,b\n', [], /no label column 'label' \(columns: text, kind\)/],
    ['a single class', 'single.csv', 'text,label\nhello,a\nthere,a\n', [], /single class \('a'\)/],
    ['a class with one example', 'rare.csv', 'text,label\nhello,a\nthere,a\nyou,b\n', [], /class 'b' has 1 example/],
    ['a non-UTF-8 file', 'latin1.csv', Buffer.from('text,label\ncaf\xe9,a\nthe,b\n', 'latin1'), [], /not valid UTF-8 text/],
    ['an LM flag', 'ok.csv', 'text,label\nhello,a\nthere,b\n', ['--steps', '5'], /--steps is for language-model fine-tuning/],
  ])('%s: one line, non-zero exit, no model folder', async (_, file, content, extra, message) => {
    const before = readdirSync(modelsDir);
    const run = await inkling(['finetune', '--task', 'classify', '--from', 'gutenberg-lstm', '--data', data(file, content), '--name', `bad-${file.split('.')[0]}`, ...(extra as string[])]);
    expect(run.code).not.toBe(0);
    expect(errorLines(run)).toHaveLength(1);
    expect(errorLines(run)[0]).toMatch(message as RegExp);
    expect(readdirSync(modelsDir)).toEqual(before);
  });

  it('refuses to classify with a language model, in one line', async () => {
    const run = await inkling(['classify', '--model', 'gutenberg-gpt', '--text', 'hello']);
    expect(run.code).toBe(1);
    expect(errorLines(run)).toEqual([expect.stringMatching(/gutenberg-gpt .*is a language model, not a classifier/)]);
  });
});
