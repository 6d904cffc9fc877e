// Bad input: training and fine-tuning data that is missing, empty, a directory, binary, not
// UTF-8 or 100 MB and more gets one clear line each through the commands (the training runs in the
// real worker) and through the real CLI process. (src/engine/data/corpus.test.ts covers loadCorpus itself.)
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliContext } from '../support/commands.js';
import { runArgv } from '../../src/commands/dispatch.js';
import { makeTinyModel, writeCorpus } from '../support/models.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();

const root = path.resolve(import.meta.dirname, '../..');
let modelsDir: string;
const files: Record<string, string> = {};

beforeAll(async () => {
  modelsDir = tempDir('inkling-data-');
  await makeTinyModel(modelsDir, 'base', { steps: 2, evalInterval: 2 });
  const dir = tempDir('inkling-bad-data-');
  files.missing = path.join(dir, 'nope.txt');
  files.empty = writeCorpus(dir, '', 'empty.txt');
  files.blank = writeCorpus(dir, ' \n\t\n', 'blank.txt');
  files.directory = path.join(dir, 'folder');
  mkdirSync(files.directory);
  files.binary = path.join(dir, 'image.png');
  writeFileSync(files.binary, new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
  files.latin1 = path.join(dir, 'latin1.txt');
  writeFileSync(files.latin1, new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6e, 0x6f, 0xeb, 0x6c]));
  files.huge = path.join(dir, 'huge.txt');
  writeFileSync(files.huge, 'x');
  truncateSync(files.huge, 100 * 1024 * 1024); // sparse: instant, no disk used
  files.device = '/dev/zero';
});

const EXPECTED: [string, RegExp][] = [
  ['missing', /not found/],
  ['empty', /empty/],
  ['blank', /no text|empty/],
  ['directory', /directory/],
  ['binary', /binary/],
  ['latin1', /not valid UTF-8/],
  ['huge', /too large.*the limit is 100 MB/],
  ['device', /not a regular file/],
];

function expectOneLine(errors: string[], pattern: RegExp): void {
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(pattern);
  expect(errors[0]).not.toMatch(/[\n\r]|\bat .*\.[tj]s:\d+/);
}

// Content checks (binary, not UTF-8, blank) happen in the worker; the rest before it starts.
const IN_WORKER = new Set(['blank', 'binary', 'latin1']);
const FINETUNE_CASES = EXPECTED.filter(([kind]) => !IN_WORKER.has(kind) || kind === 'latin1');

describe('bad data through the commands (worker included)', () => {
  it.each(EXPECTED.filter(([kind]) => kind !== 'blank'))('train --corpus <%s>', async (kind, pattern) => {
    const ctx = cliContext(modelsDir);
    const outcome = await runArgv('train', ['--corpus', files[kind]!, '--name', `t-${kind}`, '--preset', 'tiny', '--steps', '1'], ctx, 'cli');
    expect(outcome).not.toBe('ok');
    expectOneLine(ctx.out.errors, pattern);
    expect(readdirSync(modelsDir)).not.toContain(`t-${kind}`);
  });

  it.each(FINETUNE_CASES)('finetune --data <%s>', async (kind, pattern) => {
    const ctx = cliContext(modelsDir);
    const outcome = await runArgv('finetune', ['--from', 'base', '--data', files[kind]!, '--name', `f-${kind}`, '--steps', '1'], ctx, 'cli');
    expect(outcome).not.toBe('ok');
    expectOneLine(ctx.out.errors, pattern);
    expect(readdirSync(modelsDir)).not.toContain(`f-${kind}`);
  });
});

function inkling(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', '--models-dir', modelsDir, ...args],
      { cwd: root, env: { ...process.env, INKLING_DEBUG: '' }, timeout: 60_000 },
      (error, _stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr }),
    );
    child.stdin?.end();
  });
}

describe.concurrent('bad data through the real CLI process', () => {
  it.each([
    ['huge', ['train', '--preset', 'tiny', '--steps', '1', '--name', 'cli-huge', '--corpus']],
    ['binary', ['finetune', '--from', 'base', '--name', 'cli-bin', '--steps', '1', '--data']],
  ] as const)('%s', async (kind, args) => {
    const run = await inkling([...args, files[kind]!]);
    expect(run.code).toBeGreaterThan(0);
    // The backend line may come first (the worker names it); the error is the last line and the only one.
    const lines = run.stderr.trimEnd().split('\n');
    const errors = lines.filter((l) => !/^(backend|using|running on)\b/i.test(l));
    expect(errors, run.stderr).toHaveLength(1);
    expect(errors[0]).toMatch(EXPECTED.find(([k]) => k === kind)![1]);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});
