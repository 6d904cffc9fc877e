import { describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { chatContext, cliContext } from '#test/support/commands.js';
import { runArgv, runCommandLine } from './dispatch.js';
import { evalCommand } from './eval.js';
import { useTempDir } from '#test/support/temp.js';

const tempDir = useTempDir();

const calls = vi.hoisted(() => ({ loaded: [] as string[], options: [] as unknown[] }));
vi.mock('./model-lookup.js', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  findModelDir: async (_ctx: unknown, name: string) => {
    calls.loaded.push(name);
    return `/models/${name}`;
  },
}));
vi.mock('../engine/runtime/worker/client.js', () => ({
  evaluateInWorker: async (_dir: string, options: unknown) => {
    calls.options.push(options);
    return {
      corpus: 'shakespeare', tokens: 12345, valLoss: 1.5, perplexity: 4.48, bitsPerChar: 2.16, nextTokenAccuracy: 0.413,
      continuation: { accuracy: 0.115, standardError: 0.0071, passages: 400, tokens: 12800, samples: [{ prompt: 'ROMEO:', expected: ' O', generated: ' A' }] },
      ...((options as { perToken?: boolean }).perToken
        ? { perToken: [{ position: 1, id: 3, label: 'O', nats: Math.LN2 }, { position: 2, id: 0, label: '\n\t', nats: 3 * Math.LN2 }] }
        : {}),
    };
  },
}));

describe('eval', () => {
  it('parses its flags', () => {
    expect(evalCommand.parse(['--model', 's1', '--corpus', 'austen-emma', '--json'])).toEqual({ model: 's1', corpus: 'austen-emma', json: true, perToken: null });
    expect(() => evalCommand.parse(['--model'])).toThrow('--model needs a value');
  });

  it('needs --model in the CLI (usage error)', async () => {
    const ctx = cliContext();
    expect(await runArgv('eval', [], ctx, 'cli')).toBe('usage');
    expect(ctx.out.errors[0]).toMatch(/^--model is required/);
  });

  it('prints the figures, and JSON with --json', async () => {
    const ctx = cliContext();
    await runArgv('eval', ['--model', 's1'], ctx, 'cli');
    expect(ctx.out.lines[0]).toContain('s1 on shakespeare (12,345 held-out tokens)');
    expect(ctx.out.lines[0]).toContain('perplexity    4.48');
    expect(ctx.out.lines[0]).toContain('next token    41.3% right: the likeliest token, given the true text before it (12,345 tokens)');
    expect(ctx.out.lines[0]).toContain('continuation  11.5% ± 0.7 of tokens right when the model continues 400 held-out passages on its own (greedy, 12,800 tokens)');
    await runArgv('eval', ['--model', 's1', '--json'], ctx, 'cli');
    expect(JSON.parse(ctx.out.lines[1]!)).toMatchObject({ model: 's1', valLoss: 1.5 });
    expect(calls.loaded).toEqual(['s1', 's1']);
  });

  it('writes per-token surprisal in bits to the --per-token file, one escaped token per row', async () => {
    const dir = tempDir('inkling-eval-');
    const file = path.join(dir, 'surprise.tsv');
    const ctx = cliContext();
    expect(await runArgv('eval', ['--model', 's1', '--per-token', file, '--json'], ctx, 'cli')).toBe('ok');
    expect(calls.options.at(-1)).toMatchObject({ perToken: true });
    expect(readFileSync(file, 'utf8')).toBe('position\tid\ttoken\tsurprisal_bits\n1\t3\tO\t1.0000\n2\t0\t\\n\\t\t3.0000\n');
    expect(JSON.parse(ctx.out.lines.at(-1)!)).not.toHaveProperty('perToken');
    expect(await runArgv('eval', ['--model', 's1', '--per-token', path.join(dir, 'no', 'such', 'x.tsv')], ctx, 'cli')).not.toBe('ok');
    expect(ctx.out.errors.at(-1)).toMatch(/^cannot write ".*x\.tsv": ENOENT$/);
  });

  it('uses the current model in the chat, and checks the corpus first', async () => {
    const ctx = chatContext();
    await runCommandLine('/eval', ctx);
    expect(ctx.out.errors).toEqual(['no model loaded: /use NAME first, or /eval --model NAME']);
    await ctx.chat.use('s2');
    await runCommandLine('/eval --corpus blake-poems', ctx);
    expect(calls.loaded.at(-1)).toBe('s2');
    expect(calls.options.at(-1)).toEqual({ corpus: 'blake-poems' });
    await runCommandLine('/eval --corpus nosuch', ctx);
    expect(ctx.out.errors.at(-1)).toMatch(/^unknown corpus "nosuch"/);
  });
});
