import { describe, expect, it } from 'vitest';
import { EventPrinter, meanRate, progressLine, regressionWarning, reportLines, resultLine } from './training-report.js';

const progress = (step: number, totalSteps: number | null = 100) =>
  ({ type: 'progress', step, totalSteps, trainLoss: 2.3149, tokensPerSec: 1380.4, elapsedSeconds: 5, etaSeconds: 130, learningRate: 1e-3 }) as const;

describe('training lines', () => {
  it('formats a progress line', () => {
    expect(progressLine(progress(120, 2000), 2.4)).toBe('step 120/2,000  loss 2.31  val 2.40  1,380 tok/s  eta 2m10s');
    expect(progressLine({ ...progress(7, null), etaSeconds: null }, null)).toBe('step 7  loss 2.31  1,380 tok/s');
  });

  it('prints progress at most once a second, but always the last step', () => {
    const lines: string[] = [];
    let now = 0;
    const printer = new EventPrinter((l) => lines.push(l), () => now);
    printer.handle(progress(1));
    now = 500;
    printer.handle(progress(2));
    now = 1200;
    printer.handle(progress(3));
    now = 1300;
    printer.handle(progress(100));
    expect(lines.map((l) => l.split('  ')[0])).toEqual(['step 1/100', 'step 3/100', 'step 100/100']);
  });

  it('prints tokens/s averaged over the last steps, not the swing of one step', () => {
    const lines: string[] = [];
    let now = 0;
    const printer = new EventPrinter((l) => lines.push(l), () => now);
    // A busy machine: steps alternate between 10k and 100k tok/s; time-weighted, that is ~18k.
    for (let step = 1; step <= 40; step++) printer.handle({ ...progress(step, 1000), tokensPerSec: step % 2 ? 10_000 : 100_000 });
    now = 1000;
    printer.handle({ ...progress(41, 1000), tokensPerSec: 100_000 });
    expect(lines.map((l) => / ([\d,]+) tok\/s/.exec(l)![1])).toEqual(['10,000', '18,552']);
    expect(meanRate([2, 2, 2])).toBe(2);
  });

  it('ignores error events (the run reports its failure once)', () => {
    const lines: string[] = [];
    new EventPrinter((l) => lines.push(l)).handle({ type: 'error', message: 'x' });
    expect(lines).toEqual([]);
  });

  it('formats the result and the fine-tuning report', () => {
    expect(resultLine({ name: 'v', step: 40, bestValLoss: 1.234, stoppedBy: 'early-stop', wallSeconds: 75 })).toBe(
      'saved v at step 40 (stopped early: validation loss stopped improving; best val 1.23, 1m15s)',
    );
    const f = (valLoss: number) => ({ valLoss, perplexity: Math.exp(valLoss), bitsPerChar: 1 });
    const lines = reportLines({ data: 'poems.txt', unknownFraction: 0.012, base: { onData: f(3), onBaseCorpus: f(1.5) }, variant: { onData: f(2), onBaseCorpus: f(1.7) }, stoppedEarly: false });
    expect(lines[0]).toBe('fine-tuning report (data: poems.txt, 1.2% unknown to the base vocabulary)');
    expect(lines[2]).toMatch(/variant on the new text\s+val loss 2\.00 {2}perplexity 7\.4$/);
    const chats = reportLines({ data: 'chats.jsonl', unknownFraction: 0, base: { onData: f(3), onBaseCorpus: f(1.5) }, variant: { onData: f(2), onBaseCorpus: f(1.7) }, stoppedEarly: false });
    expect(chats[0]).toBe('fine-tuning report (data: chats.jsonl; loss on the assistant replies of held-out conversations)');
    expect(chats[2]).toMatch(/^ {2}variant on held-out replies\s+val loss 2\.00/);
  });

  it('warns when a fine-tune made its own text worse, with the likely cause and what to try', () => {
    const f = (valLoss: number) => ({ valLoss, perplexity: Math.exp(valLoss), bitsPerChar: 1 });
    const report = (base: number, variant: number, extra = {}) => ({
      data: 'sea.txt', unknownFraction: 0.001, base: { onData: f(base), onBaseCorpus: f(1.5) }, variant: { onData: f(variant), onBaseCorpus: f(1.6) }, stoppedEarly: true, ...extra,
    });
    const worse = reportLines(report(1.53, 1.57));
    expect(worse.at(-1)).toMatch(/^warning: the fine-tune made its own text worse \(val loss 1\.53 for the base, 1\.57 for the variant\)\. Likely cause: it stopped early.*too little text.*learning rate.*--lr \(half\).*--freeze/);
    expect(regressionWarning(report(1.53, 1.57, { unknownFraction: 0.2 }))).toMatch(/Likely cause: 20% of the new text is unknown/);
    expect(regressionWarning(report(1.57, 1.53))).toBeNull();
    // LoRA freezes every base weight already: a lower rank is what to try instead.
    const lora = regressionWarning(report(1.53, 1.57, { lora: true }))!;
    expect(lora).toMatch(/or a lower --lora rank\.$/);
    expect(lora).not.toContain('--freeze');
    expect(reportLines(report(1.57, 1.53))).toHaveLength(5);
  });
});
