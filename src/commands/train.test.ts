import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { chatContext, cliContext } from '#test/support/commands.js';
import type { TrainEvent, TrainingRequest } from '../engine/types.js';
import { runArgv, runCommandLine } from './dispatch.js';
import { commandLine, defaultName, trainCommand } from './train.js';
import { useTempDir } from '#test/support/temp.js';

const tempDir = useTempDir();

const worker = vi.hoisted(() => ({
  requests: [] as unknown[],
  stops: 0,
  events: [] as unknown[],
  fail: null as string | null,
  untilStopped: false,
  started: () => {},
}));
vi.mock('../engine/runtime/worker/client.js', () => ({
  startTraining(request: TrainingRequest, onEvent: (e: TrainEvent) => void) {
    worker.requests.push(request);
    for (const e of worker.events) onEvent(e as TrainEvent);
    let stopped = () => {};
    const result = { name: request.name, step: 20, bestValLoss: 2.5, stoppedBy: 'stop' as const, wallSeconds: 1 };
    worker.started();
    return {
      stop: () => {
        worker.stops++;
        stopped();
      },
      done: worker.untilStopped
        ? new Promise((resolve) => (stopped = () => resolve(result)))
        : worker.fail
        ? Promise.reject(new Error(worker.fail))
        : Promise.resolve({ name: request.name, step: 20, bestValLoss: 2.5, stoppedBy: 'steps', wallSeconds: 130 }),
    };
  },
}));

beforeEach(() => {
  worker.requests = [];
  worker.stops = 0;
  worker.events = [];
  worker.fail = null;
  worker.untilStopped = false;
});

describe('train parser', () => {
  it('builds a TrainRequest with defaults and overrides', () => {
    const { request, name } = trainCommand.parse(['--corpus', 'shakespeare', '--steps', '500', '--layers', '2', '--lr', '3e-4', '--batch', '8', '--context', '32', '--seed', '1']);
    expect(name).toBeNull();
    expect(request).toMatchObject({
      kind: 'train', corpus: 'shakespeare', arch: 'gpt', tokenizer: 'char', preset: 'nano-cpu', steps: 500, seed: 1,
      overrides: { layers: 2, learningRate: 3e-4, batchSize: 8, contextLength: 32 },
    });
    expect(request.command).toBe('inkling train --corpus shakespeare --steps 500 --layers 2 --lr 3e-4 --batch 8 --context 32 --seed 1');
    const rnn = trainCommand.parse(['--corpus', 'c', '--arch', 'lstm', '--tokenizer', 'word', '--vocab', '5000', '--hidden', '128', '--minutes', '2.5', '--name', 'w1']);
    expect(rnn.request).toMatchObject({ arch: 'lstm', tokenizer: 'word', preset: 'word', minutes: 2.5, overrides: { vocabLimit: 5000, hidden: 128 } });
    expect(rnn.name).toBe('w1');
  });

  it.each([
    [[], 'train needs --corpus or --resume'],
    [['--corpus', 'c', '--arch', 'rnn'], '--arch must be one of gpt, lstm, gru, got "rnn"'],
    [['--corpus', 'c', '--steps', '10', '--minutes', '1'], 'use --steps or --minutes, not both'],
    [['--corpus', 'c', '--steps', 'NaN'], '--steps needs a whole number, got "NaN"'],
    [['--corpus', 'c', '--minutes', 'Infinity'], '--minutes needs a number, got "Infinity"'],
    [['--corpus', 'c', '--minutes', '-1'], '--minutes must be above 0'],
    [['--corpus', 'c', '--lr', '0'], '--lr must be above 0'],
    [['--corpus', 'c', '--dropout', '1'], '--dropout must be between 0 and 0.95, got 1'],
    [['--corpus', 'c', '--preset', 'nano'], 'no gpt preset "nano" — gpt presets: nano-cpu, small, tiny'],
    [['--corpus', 'c', '--arch', 'lstm', '--preset', 'nano-cpu'], 'no lstm preset "nano-cpu"'],
    [['--corpus', 'c', '--name', '../evil'], "invalid model name '../evil'"],
    [['--corpus', 'c', '--resume'], '--resume needs --name'],
    [['--corpus', 'c', '--hidden', '64'], '--hidden is for lstm and gru'],
    [['--corpus', 'c', '--vocab', '100'], '--vocab and --lowercase are for --tokenizer word'],
  ])('%j -> %s', (argv, message) => {
    expect(() => trainCommand.parse(argv)).toThrow(message);
  });

  it('resumes by name alone: the model keeps its own corpus', () => {
    const { request, name } = trainCommand.parse(['--name', 's1', '--resume', '--steps', '100']);
    expect(name).toBe('s1');
    expect(request).toMatchObject({ kind: 'train', resume: true, steps: 100, corpus: '' });
  });

  it('names a run <arch>-<corpus>-<n>, skipping names in use', () => {
    const dir = tempDir('inkling-train-');
    expect(defaultName(dir, 'gpt', 'shakespeare')).toBe('gpt-shakespeare-1');
    mkdirSync(path.join(dir, 'gpt-shakespeare-1'));
    expect(defaultName(dir, 'gpt', 'shakespeare')).toBe('gpt-shakespeare-2');
    expect(defaultName(dir, 'lstm', '/home/me/My Poems.txt')).toBe('lstm-my-poems-1');
  });
});

describe('train in the chat', () => {
  it('starts in the background and returns', async () => {
    const ctx = chatContext();
    await runCommandLine('/train --corpus shakespeare --arch gru --steps 100 --name g1', ctx);
    expect(ctx.out.errors).toEqual([]);
    expect(ctx.chat.started[0]).toMatchObject({ kind: 'train', name: 'g1', arch: 'gru', modelsDir: '/nonexistent/models' });
    expect(ctx.out.lines[0]).toMatch(/^training g1 in the background/);
  });

  it('refuses a second run politely', async () => {
    const ctx = chatContext();
    await runCommandLine('/train --corpus shakespeare --name a', ctx);
    await runCommandLine('/train --corpus shakespeare --name b', ctx);
    expect(ctx.out.errors).toEqual(['a is still training: /stop it first, or wait until it ends']);
    expect(ctx.chat.started).toHaveLength(1);
  });

  it('refuses an unknown corpus before starting', async () => {
    const ctx = chatContext();
    await runCommandLine('/train --corpus shakespear', ctx);
    expect(ctx.out.errors).toEqual(['unknown corpus "shakespear" (did you mean shakespeare?) — corpora lists the names; a path to a text file works too']);
    expect(ctx.chat.started).toEqual([]);
  });
});

describe('train in the CLI', () => {
  it('prints a line per event and the result', async () => {
    worker.events = [
      { type: 'start', name: 'c1', backend: 'wasm', totalSteps: 2000, startStep: 0, params: 800_000, message: '' },
      { type: 'eval', step: 100, trainLoss: 2.4, valLoss: 2.4, best: true },
      { type: 'progress', step: 120, totalSteps: 2000, trainLoss: 2.31, tokensPerSec: 1380.2, elapsedSeconds: 10, etaSeconds: 130, learningRate: 1e-3 },
    ];
    const ctx = cliContext(tempDir('inkling-train-'));
    expect(await runArgv('train', ['--corpus', 'shakespeare', '--name', 'c1'], ctx, 'cli')).toBe('ok');
    expect(ctx.out.lines).toEqual([
      'training c1 on wasm: 800.0k params, 2,000 steps',
      'step 100  val 2.40  (best so far, saved)',
      'step 120/2,000  loss 2.31  val 2.40  1,380 tok/s  eta 2m10s',
      'saved c1 at step 20 (all steps done; best val 2.50, 2m10s)',
    ]);
  });

  it('stops the run (with a save) when the signal aborts', async () => {
    const controller = new AbortController();
    const ctx = { ...cliContext(tempDir('inkling-train-')), signal: controller.signal };
    worker.untilStopped = true;
    const started = new Promise<void>((resolve) => (worker.started = resolve));
    const run = runArgv('train', ['--corpus', 'shakespeare'], ctx, 'cli');
    await started;
    expect(worker.stops).toBe(0);
    controller.abort();
    expect(await run).toBe('ok');
    expect(worker.stops).toBe(1);
    expect(ctx.out.lines.at(-1)).toMatch(/^saved gpt-shakespeare-1 at step 20 \(stopped;/);
  });

  it('reports a worker failure once, as one line', async () => {
    worker.fail = 'corpus is empty';
    worker.events = [{ type: 'error', message: 'corpus is empty' }];
    const ctx = cliContext(tempDir('inkling-train-'));
    expect(await runArgv('train', ['--corpus', 'shakespeare'], ctx, 'cli')).toBe('failed');
    expect(ctx.out.errors).toEqual(['corpus is empty']);
  });

  it('refuses to overwrite a model, and to resume a missing one', async () => {
    const dir = tempDir('inkling-train-');
    mkdirSync(path.join(dir, 'taken'));
    const ctx = cliContext(dir);
    await runArgv('train', ['--corpus', 'shakespeare', '--name', 'taken'], ctx, 'cli');
    await runArgv('train', ['--corpus', 'shakespeare', '--name', 'ghost', '--resume'], ctx, 'cli');
    expect(ctx.out.errors).toEqual([
      'model taken already exists: add --resume to continue it, or pick another --name',
      `cannot resume: no model ghost in ${dir}`,
    ]);
    expect(worker.requests).toEqual([]);
  });

  it('quotes the command line for a rerun', () => {
    expect(commandLine('train', ['--corpus', 'my file.txt', '--name', "it's"])).toBe(`inkling train --corpus 'my file.txt' --name 'it'\\''s'`);
  });
});
