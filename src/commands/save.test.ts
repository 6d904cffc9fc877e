import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chatContext } from '#test/support/commands.js';
import { runCommandLine } from './dispatch.js';
import { useTempDir } from '#test/support/temp.js';

const tempDir = useTempDir();

describe('/save', () => {
  const dir = tempDir('inkling-save-');

  it('writes the transcript as Markdown, adding .md', async () => {
    const ctx = chatContext();
    await runCommandLine(`/save "${path.join(dir, 'my chat')}"`, ctx);
    expect(ctx.out.errors).toEqual([]);
    expect(readFileSync(path.join(dir, 'my chat.md'), 'utf8')).toBe('# Inkling\n\nhello\n');
  });

  it('refuses to overwrite without --force', async () => {
    const file = path.join(dir, 'old.md');
    writeFileSync(file, 'keep me');
    const ctx = chatContext();
    await runCommandLine(`/save ${file}`, ctx);
    expect(ctx.out.errors).toEqual([`${file} exists: add --force to overwrite it`]);
    expect(readFileSync(file, 'utf8')).toBe('keep me');
    await runCommandLine(`/save ${file} --force`, ctx);
    expect(readFileSync(file, 'utf8')).toContain('hello');
  });

  it.each([
    ['/save', /^save needs FILE/],
    ['/save /no/such/folder/x.md', /^no folder \/no\/such\/folder: create it first$/],
    ['/save ""', /^bad file name ""/],
  ])('%s -> one line', async (input, message) => {
    const ctx = chatContext();
    await runCommandLine(input, ctx);
    expect(ctx.out.errors).toHaveLength(1);
    expect(ctx.out.errors[0]).toMatch(message);
  });

  it('refuses a folder', async () => {
    const ctx = chatContext();
    await runCommandLine(`/save ${dir}/`, ctx);
    await runCommandLine(`/save ${dir}`, ctx);
    expect(ctx.out.errors).toEqual([`${dir}/ is a folder: give a file name`, `${dir} is a folder: give a file name`]);
  });
});
