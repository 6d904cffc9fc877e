import { describe, expect, it, vi } from 'vitest';
import { cliContext } from '#test/support/commands.js';
import type { SampleOptions } from '../engine/types.js';
import { runArgv } from './dispatch.js';
import { generateCommand } from './generate.js';

const calls = vi.hoisted(() => ({ loaded: [] as string[], disposed: 0, options: [] as unknown[], probs: [] as unknown[], prompts: [] as string[] }));
vi.mock('./model-lookup.js', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  loadModelByName: async (_ctx: unknown, name: string) => {
    calls.loaded.push(name);
    return { name, tokenizer: { unkId: null }, dispose: () => void calls.disposed++ };
  },
}));
vi.mock('../engine/sample.js', () => ({
  generate: async (_l: unknown, prompt: string, options: SampleOptions, onText: (d: string) => void, _s: unknown, probs?: { top: number }) => {
    calls.options.push(options);
    calls.probs.push(probs);
    calls.prompts.push(prompt);
    onText(' and');
    onText(' more');
    const candidate = (id: number, label: string, logprob: number) => ({ id, label, logprob, sampled: Math.exp(logprob) });
    const tokenProbs = [
      { text: ' and', chosen: candidate(4, 'and', -0.5), candidates: [candidate(4, 'and', -0.5), candidate(9, 'or', -1.25)], entropy: 1.1, sampledEntropy: 1, kept: 2 },
      { text: ' m\u00f6re', chosen: candidate(7, '<0xC3>', -3), candidates: [candidate(1, 'the', -0.1), candidate(2, '\n', -2.5)], entropy: 0.4, sampledEntropy: 0.3, kept: 2 },
    ];
    return {
      text: ' and more', tokens: 2, tokensPerSec: 1615.4, msToFirstToken: 12, stoppedBy: 'max-tokens', unknownPromptPieces: 1,
      ...(probs ? { tokenProbs } : {}),
    };
  },
}));

describe('generate parser', () => {
  it('fills sampling defaults and reads flags', () => {
    expect(generateCommand.parse(['--model', 's1', '--prompt', 'ROMEO:'])).toEqual({
      model: 's1', prompt: 'ROMEO:', onlyNew: false, logprobs: null, options: { maxTokens: 200, temperature: 0.8, topK: 0, topP: 1 },
    });
    expect(generateCommand.parse(['--model', 's1', '--prompt', 'x', '--logprobs', '5']).logprobs).toBe(5);
    const args = generateCommand.parse(['--model', 's1', '--prompt', '-x', '--temperature', '0', '--top-k', '1', '--top-p', '0.5', '--seed', '3', '--stop', '\\n\\n', '--stop', 'END', '--max-tokens', '9']);
    expect(args.prompt).toBe('-x');
    expect(args.options).toEqual({ maxTokens: 9, temperature: 0, topK: 1, topP: 0.5, seed: 3, stop: ['\n\n', 'END'] });
  });

  it.each([
    [['--prompt', 'x'], '--model is required'],
    [['--model', 's1', '--prompt', 'x', '--temperature', '5.1'], '--temperature must be between 0 and 5, got 5.1'],
    [['--model', 's1', '--prompt', 'x', '--top-k', '-1'], '--top-k must be at least 0, got -1'],
    [['--model', 's1', '--prompt', 'x', '--top-p', '0'], '--top-p must be above 0 and at most 1, got 0'],
    [['--model', 's1', '--prompt', 'x', '--max-tokens', '0'], '--max-tokens must be between 1 and 100000, got 0'],
    [['--model', 's1', '--prompt', 'x', '--seed', '1.5'], '--seed needs a whole number, got "1.5"'],
    [['--model', 's1', '--prompt', 'x', '--temperature'], '--temperature needs a value'],
    [['--model', 's1', '--prompt', 'x', '--logprobs', '-1'], '--logprobs must be between 0 and 100, got -1'],
    [['--model', 's1', '--prompt', 'x', '--logprobs', 'all'], '--logprobs needs a whole number, got "all"'],
  ])('%j -> %s', (argv, message) => {
    expect(() => generateCommand.parse(argv)).toThrow(message);
  });
});

describe('generate run', () => {
  it('streams the prompt and reply to stdout, stats and the unknown-piece warning to stderr', async () => {
    const ctx = cliContext();
    expect(await runArgv('generate', ['--model', 's1', '--prompt', 'ROMEO:', '--seed', '1'], ctx, 'cli')).toBe('ok');
    expect(ctx.out.written).toBe('ROMEO: and more\n');
    expect(ctx.out.infos).toEqual([
      "warning: 1 piece(s) of the prompt are not in s1's vocabulary and were dropped",
      '2 tokens  1,615 tok/s  first token 12 ms  (max tokens)',
    ]);
    expect(calls.options.at(-1)).toMatchObject({ seed: 1 });
    expect(calls.disposed).toBe(1);
  });

  it('prints one JSON line per token with --logprobs N, and no plain text', async () => {
    const ctx = cliContext();
    expect(await runArgv('generate', ['--model', 's1', '--prompt', 'ROMEO:', '--logprobs', '1'], ctx, 'cli')).toBe('ok');
    expect(calls.probs.at(-1)).toEqual({ top: 1 });
    const lines = ctx.out.written.trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(lines).toEqual([
      { text: ' and', token: 'and', id: 4, logprob: -0.5, sampled: 0.6065, entropy: 1.1, top: [{ token: 'and', id: 4, logprob: -0.5 }] },
      { text: ' m\u00f6re', token: '<0xC3>', id: 7, logprob: -3, sampled: 0.0498, entropy: 0.4, top: [{ token: 'the', id: 1, logprob: -0.1 }] },
    ]);
    await runArgv('generate', ['--model', 's1', '--prompt', 'ROMEO:'], ctx, 'cli');
    expect(calls.probs.at(-1)).toBeUndefined();
  });

it('reads the prompt from stdin when it is a pipe, dropping echo\'s newline', async () => {
    const ctx = { ...cliContext(), stdin: { isTTY: false, read: async () => 'The sea was calm\n' } };
    expect(await runArgv('generate', ['--model', 's1'], ctx, 'cli')).toBe('ok');
    expect(ctx.out.written).toBe('The sea was calm and more\n');
  });

  it('reads stdin for --prompt -, even from a terminal', async () => {
    const ctx = { ...cliContext(), stdin: { isTTY: true, read: async () => 'typed\n' } };
    expect(await runArgv('generate', ['--model', 's1', '--prompt', '-', '--only-new'], ctx, 'cli')).toBe('ok');
    expect(calls.prompts.at(-1)).toBe('typed');
    expect(ctx.out.infos[0]).toBe('reading the prompt from stdin: end it with Ctrl-D');
  });

  it('prefers --prompt over a pipe', async () => {
    const ctx = { ...cliContext(), stdin: { isTTY: false, read: async () => 'piped' } };
    expect(await runArgv('generate', ['--model', 's1', '--prompt', 'given'], ctx, 'cli')).toBe('ok');
    expect(calls.prompts.at(-1)).toBe('given');
  });

  it('without --prompt at a terminal, or with an empty pipe, is a usage error that loads nothing', async () => {
    const loadedBefore = calls.loaded.length;
    const tty = { ...cliContext(), stdin: { isTTY: true, read: async () => 'never read' } };
    expect(await runArgv('generate', ['--model', 's1'], tty, 'cli')).toBe('usage');
    expect(tty.out.errors).toEqual([expect.stringMatching(/^--prompt is required \(or pipe the prompt in\) — usage: generate --model NAME \[--prompt TEXT\]/)]);
    const empty = { ...cliContext(), stdin: { isTTY: false, read: async () => '\n' } };
    expect(await runArgv('generate', ['--model', 's1'], empty, 'cli')).toBe('usage');
    expect(empty.out.errors).toEqual(['the prompt on stdin is empty: pipe some text in, or give --prompt TEXT']);
    expect(calls.loaded.length).toBe(loadedBefore);
  });

  it('is a CLI command only', async () => {
    const ctx = cliContext();
    expect(await runArgv('generate', ['--model', 's1', '--prompt', 'x'], ctx, 'chat')).toBe('usage');
    expect(ctx.out.errors).toEqual(['/generate works only on the command line: inkling generate ... — in the chat, just type a prompt']);
  });
});
