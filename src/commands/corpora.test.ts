import { describe, expect, it } from 'vitest';
import { benchCommand } from './bench.js';
import { cliContext } from '#test/support/commands.js';
import { runArgv } from './dispatch.js';

describe('corpora, presets, bench', () => {
  it('corpora lists the shipped corpora', async () => {
    const ctx = cliContext();
    expect(await runArgv('corpora', [], ctx, 'cli')).toBe('ok');
    expect(ctx.out.lines[0]).toMatch(/^name\s+size\s+what\ngutenberg\s/);
    expect(ctx.out.lines[0]).toContain('shakespeare');
    await runArgv('corpora', ['--json'], ctx, 'cli');
    expect(JSON.parse(ctx.out.lines[1]!).map((c: { name: string }) => c.name)).toContain('blake-poems');
  });

  it('presets lists the presets, filtered by arch', async () => {
    const ctx = cliContext();
    await runArgv('presets', ['--arch', 'gpt'], ctx, 'cli');
    expect(ctx.out.lines[0]).toContain('nano-cpu');
    expect(ctx.out.lines[0]).not.toContain('lstm');
    await runArgv('presets', ['--arch', 'transformer'], ctx, 'cli');
    expect(ctx.out.errors).toEqual(['--arch must be one of gpt, lstm, gru, got "transformer"']);
  });

  it('bench passes its flags through untouched', () => {
    expect(benchCommand.parse(['--quick', '-x', 'y'])).toEqual(['--quick', '-x', 'y']);
  });
});
