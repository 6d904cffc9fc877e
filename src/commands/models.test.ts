import { describe, expect, it, vi } from 'vitest';
import { chatContext, cliContext, fakeManifest } from '#test/support/commands.js';
import { runArgv, runCommandLine } from './dispatch.js';

const entries = vi.hoisted(() => ({ list: [] as unknown[] }));
vi.mock('./model-lookup.js', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  listModelEntries: async () => entries.list,
}));

describe('models', () => {
  it('says how to train one when there are none', async () => {
    entries.list = [];
    const ctx = cliContext('/tmp/empty-models');
    await runArgv('models', [], ctx, 'cli');
    expect(ctx.out.lines[0]).toMatch(/^no models yet in \/tmp\/empty-models — train one: inkling train/);
  });

  it('tables the models, draws the lineage and lists broken ones by name', async () => {
    entries.list = [
      { name: 's1', dir: '/m/s1', shipped: true, ok: true, manifest: fakeManifest('s1', { params: 812_000, step: 2000, bestValLoss: 1.4712 }) },
      { name: 's1-poems', dir: '/m/s1-poems', shipped: false, ok: true, manifest: fakeManifest('s1-poems', { parent: 's1', corpus: { name: 'poems.txt', trainTokens: 1, valTokens: 1 } }) },
      { name: 'wreck', dir: '/m/wreck', shipped: false, ok: false, error: 'bad manifest JSON' },
    ];
    const ctx = chatContext();
    await runCommandLine('/models', ctx);
    const lines = ctx.out.text().split('\n');
    expect(lines[0]).toMatch(/^name\s+arch\s+params\s+tokenizer\s+corpus\s+steps\s+best val\s+parent\s+trained on$/);
    expect(lines[1]).toMatch(/^s1\s+gpt\s+812\.0k\s+char\s+shakespeare\s+2,000\s+1\.47\s+-\s+cpu$/);
    expect(lines[2]).toMatch(/^s1-poems\s+gpt .*poems\.txt .* s1\s+cpu$/);
    expect(lines).toContain('lineage:');
    expect(lines).toContain('  └─ s1-poems');
    expect(lines.at(-1)).toBe('broken: wreck — bad manifest JSON (skipped)');
  });

  it('prints JSON with --json', async () => {
    const ctx = cliContext();
    await runArgv('models', ['--json'], ctx, 'cli');
    const json = JSON.parse(ctx.out.lines[0]!);
    expect(json[0]).toMatchObject({ name: 's1', arch: 'gpt', params: 812_000, steps: 2000, parent: null, shipped: true });
    expect(json[2]).toEqual({ name: 'wreck', dir: '/m/wreck', shipped: false, error: 'bad manifest JSON' });
  });
});
