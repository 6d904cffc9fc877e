// A training or fine-tuning run in words: the CLI's line per event, the fine-tuning report and the result
// line (the chat's training tracker shows the report and result lines too). The run itself starts in train.ts.
import type { FinetuneReport, TrainEvent, TrainResult } from '../engine/types.js';
import { formatCount, formatDuration, formatLoss, formatParams } from './format.js';
import { isConversationFile } from '../engine/data/conversations.js';

/** Steps the printed tokens/s is averaged over: one step's rate swings several-fold on a busy machine. */
export const RATE_STEPS = 50;

/** Tokens per second over several steps of equal size: total tokens over total time (the harmonic mean). */
export function meanRate(rates: readonly number[]): number {
  const usable = rates.filter((r) => Number.isFinite(r) && r > 0);
  return usable.length === 0 ? NaN : usable.length / usable.reduce((sum, r) => sum + 1 / r, 0);
}

/** Turns training events into the CLI's lines; progress at most once a second (plus the last step). */
export class EventPrinter {
  private lastVal: number | null = null;
  private lastPrinted = -Infinity;
  private rates: number[] = [];

  constructor(
    private readonly emit: (line: string) => void,
    private readonly now: () => number = () => Date.now(),
  ) {}

  handle(event: TrainEvent): void {
    switch (event.type) {
      case 'start': {
        if (event.task === 'classify') {
          this.emit(`training classifier ${event.name} on ${event.backend}: ${formatParams(event.params)} params in the base`);
          if (event.message) this.emit(event.message);
          break;
        }
        const steps = event.totalSteps === null ? 'until the time limit' : `${formatCount(event.totalSteps)} steps`;
        const from = event.startStep > 0 ? ` from step ${formatCount(event.startStep)}` : '';
        this.emit(`training ${event.name} on ${event.backend}: ${formatParams(event.params)} params, ${steps}${from}`);
        if (event.message) this.emit(event.message);
        break;
      }
      case 'progress': {
        this.rates.push(event.tokensPerSec);
        if (this.rates.length > RATE_STEPS) this.rates.shift();
        const last = event.totalSteps !== null && event.step >= event.totalSteps;
        if (!last && this.now() - this.lastPrinted < 1000) return;
        this.lastPrinted = this.now();
        this.emit(progressLine({ ...event, tokensPerSec: meanRate(this.rates) }, this.lastVal));
        break;
      }
      case 'eval':
        this.lastVal = event.valLoss;
        this.emit(`step ${formatCount(event.step)}  val ${formatLoss(event.valLoss)}${event.best ? '  (best so far, saved)' : ''}`);
        break;
      case 'log':
        this.emit(event.message);
        break;
      case 'checkpoint':
      case 'error': // the run's promise rejects with the same message: reported once, as the error
      case 'done':
        break;
    }
  }
}

export function progressLine(event: Extract<TrainEvent, { type: 'progress' }>, val: number | null): string {
  const total = event.totalSteps === null ? '' : `/${formatCount(event.totalSteps)}`;
  const parts = [`step ${formatCount(event.step)}${total}`, `loss ${formatLoss(event.trainLoss)}`];
  if (val !== null) parts.push(`val ${formatLoss(val)}`);
  parts.push(`${formatCount(event.tokensPerSec)} tok/s`);
  if (event.etaSeconds !== null) parts.push(`eta ${formatDuration(event.etaSeconds)}`);
  return parts.join('  ');
}

/** Above this share of unknown pieces, the vocabulary is the likelier cause of a fine-tune gone wrong. */
const MANY_UNKNOWN = 0.05;

/**
 * A fine-tune that did not improve on its own new text: the one thing it was for. Says so, with the
 * likely cause and what to try; null when it helped.
 */
export function regressionWarning(report: FinetuneReport): string | null {
  const base = report.base.onData.valLoss;
  const variant = report.variant.onData.valLoss;
  if (!(variant >= base)) return null;
  const cause =
    report.unknownFraction > MANY_UNKNOWN
      ? `${(report.unknownFraction * 100).toFixed(0)}% of the new text is unknown to the base model's vocabulary`
      : report.stoppedEarly
        ? 'it stopped early because validation loss rose at once: too little text to learn from, or a learning rate too high for it'
        : 'too little new text, or a learning rate too high for it';
  return (
    `warning: the fine-tune made its own text worse (val loss ${formatLoss(base)} for the base, ${formatLoss(variant)} for the variant). ` +
    `Likely cause: ${cause}. Try more text, a lower --lr (half), or ${report.lora ? 'a lower --lora rank' : '--freeze 2 to keep the lower layers as they are'}.`
  );
}

export function reportLines(report: FinetuneReport): string[] {
  const row = (label: string, f: { valLoss: number; perplexity: number }) => `${label.padEnd(30)}val loss ${formatLoss(f.valLoss)}  perplexity ${f.perplexity.toFixed(1)}`;
  const warning = regressionWarning(report);
  // Conversations (a chats.jsonl) are measured on the assistant replies of held-out conversations.
  const chats = isConversationFile(report.data);
  const onData = chats ? 'held-out replies' : 'the new text';
  return [
    chats
      ? `fine-tuning report (data: ${report.data}; loss on the assistant replies of held-out conversations)`
      : `fine-tuning report (data: ${report.data}, ${(report.unknownFraction * 100).toFixed(1)}% unknown to the base vocabulary)`,
    row(`  base on ${onData}`, report.base.onData),
    row(`  variant on ${onData}`, report.variant.onData),
    row('  base on its corpus', report.base.onBaseCorpus),
    row('  variant on base corpus', report.variant.onBaseCorpus),
    ...(warning ? [warning] : []),
  ];
}

export function resultLine(result: TrainResult): string {
  const why = { steps: 'all steps done', time: 'time is up', stop: 'stopped', 'early-stop': 'stopped early: validation loss stopped improving' }[result.stoppedBy];
  return `saved ${result.name} at step ${formatCount(result.step)} (${why}; best val ${formatLoss(result.bestValLoss)}, ${formatDuration(result.wallSeconds)})`;
}

export function classifyResultLine(result: TrainResult): string {
  const epochs = `${formatCount(result.step)} epoch(s), ${formatDuration(result.wallSeconds)}`;
  return result.classifyReport
    ? `saved classifier ${result.name} (${epochs})`
    : `saved ${result.name} unfinished (${epochs}): add --resume to the same command to continue it`;
}
