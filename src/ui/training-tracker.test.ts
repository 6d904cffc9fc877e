import { describe, expect, it } from 'vitest';
import type { FinetuneReport } from '../engine/types.js';
import { TrainingTracker } from './training-tracker.js';

function tracker(inUse: string | null, kind: 'train' | 'finetune' = 'train') {
  const lines: { kind: string; text: string }[] = [];
  const request =
    kind === 'train'
      ? ({ kind, name: 'gpl', modelsDir: '/m', corpus: 'c', arch: 'gpt', tokenizer: 'char' } as const)
      : ({ kind, name: 'sea', modelsDir: '/m', from: 'gpl', data: 'sea.txt' } as const);
  const t = new TrainingTracker(request, { line: (k, text) => void lines.push({ kind: k, text }), changed: () => {}, checkpoint: () => {}, modelInUse: () => inUse });
  return { t, lines };
}

const done = (name: string, report?: FinetuneReport) => ({ name, step: 40, bestValLoss: 1.5, stoppedBy: 'early-stop' as const, wallSeconds: 3, report });

describe('the end of a run in the chat', () => {
  it('points to /use the run, unless it is the model in use: then says a /use loads the final weights', () => {
    const other = tracker('gutenberg-gpt');
    other.t.finish(done('gpl'));
    expect(other.lines[0]!.text).toMatch(/finished at step 40 .*\. \/use gpl to chat with it\.$/);
    const same = tracker('gpl');
    same.t.finish(done('gpl'));
    expect(same.lines[0]!.text).toMatch(/You are chatting with an earlier checkpoint of it: \/use gpl loads the final one\.$/);
    expect(same.lines[0]!.text).not.toContain('to chat with it');
  });

  it('warns on its own line when a fine-tune made its own text worse', () => {
    const f = (valLoss: number) => ({ valLoss, perplexity: Math.exp(valLoss), bitsPerChar: 1 });
    const { t, lines } = tracker(null, 'finetune');
    t.finish(done('sea', { data: 'sea.txt', unknownFraction: 0, base: { onData: f(1.53), onBaseCorpus: f(1.4) }, variant: { onData: f(1.57), onBaseCorpus: f(1.5) }, stoppedEarly: true }));
    expect(lines.map((l) => l.kind)).toEqual(['info', 'info', 'error']);
    expect(lines[1]!.text).toMatch(/^fine-tuning report/);
    expect(lines[1]!.text).not.toContain('warning');
    expect(lines[2]!.text).toMatch(/^warning: the fine-tune made its own text worse.*Try more text/);
  });

  it('ends a classifier run with its report and a pointer to classification mode', () => {
    const lines: { kind: string; text: string }[] = [];
    const request = { kind: 'finetune', task: 'classify', name: 'authors', modelsDir: '/m', from: 'gutenberg-gpt', data: 'gutenberg-authors' } as const;
    const t = new TrainingTracker(request, { line: (k, text) => void lines.push({ kind: k, text }), changed: () => {}, checkpoint: () => {}, modelInUse: () => null });
    const f = (acc: number) => ({ accuracy: acc, macroF1: acc, perClass: [{ label: 'a', precision: acc, recall: acc, f1: acc, support: 2 }, { label: 'b', precision: acc, recall: acc, f1: acc, support: 2 }], confusion: [[2, 0], [0, 2]] });
    const classifyReport = {
      data: 'gutenberg-authors', labels: ['a', 'b'], trainRows: 8, valRows: 4, badRows: 0, badExamples: [], split: 'stratified' as const,
      truncated: 0, maxTokens: 512, pool: 'mean' as const, unfreeze: 0, classifier: f(1), majority: f(0.5), ngram: f(0.75),
    };
    t.finish({ ...done('authors'), bestValLoss: null, classifyReport });
    expect(lines[0]!.text).toMatch(/^saved classifier authors \(40 epoch\(s\), 3s\): \/use authors for classification mode\.$/);
    expect(lines[1]!.text).toMatch(/^classifier report \(data: gutenberg-authors[\s\S]*majority class\s+50\.0%/);
  });
});

