// Running a training or fine-tuning request: in the chat's background worker, or in the CLI with one
// printed line per event. Shared by train and finetune.
import path from 'node:path';
import { CommandError, type CommandContext } from './types.js';
import type { FinetuneReport, TrainEvent, TrainingRequest, TrainResult } from '../engine/types.js';
import { firstLine } from '../engine/first-line.js';
import { classifyReportLines } from './classify-report.js';
import { formatCount, formatDuration, formatLoss, formatParams } from './format.js';

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
    `Likely cause: ${cause}. Try more text, a lower --learning-rate (half), or --freeze 2 to keep the lower layers as they are.`
  );
}

export function reportLines(report: FinetuneReport): string[] {
  const row = (label: string, f: { valLoss: number; perplexity: number }) => `${label.padEnd(28)}val loss ${formatLoss(f.valLoss)}  perplexity ${f.perplexity.toFixed(1)}`;
  const warning = regressionWarning(report);
  return [
    `fine-tuning report (data: ${report.data}, ${(report.unknownFraction * 100).toFixed(1)}% unknown to the base vocabulary)`,
    row('  base on the new text', report.base.onData),
    row('  variant on the new text', report.variant.onData),
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

/** The command that produced a model, stored in its manifest so it can be rerun. */
export function commandLine(command: string, argv: readonly string[]): string {
  const shellWord = (w: string) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);
  return ['inkling', command, ...argv.map(shellWord)].join(' ');
}

/** Chat: one run at a time. Checked first, so a second /train hears that rather than a side issue. */
export function refuseWhileTraining(ctx: CommandContext): void {
  const running = ctx.chat?.training;
  if (running?.running) throw new CommandError(`${running.request.name} is still training: /stop it first, or wait until it ends`);
}

/**
 * The first save comes minutes into a run: find out now whether the models folder can take it (the
 * folder itself, or the nearest existing folder above it, which the save will create it in).
 */
async function checkModelsDir(dir: string): Promise<void> {
  const { access, stat } = await import('node:fs/promises');
  const { constants } = await import('node:fs');
  const refuse = (why: string) => new CommandError(`cannot save models in ${dir}: ${why} (--models-dir or INKLING_MODELS_DIR picks another)`);
  let at = path.resolve(dir);
  for (;;) {
    const info = await stat(at).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? null : error));
    if (info instanceof Error) throw refuse((info as NodeJS.ErrnoException).code === 'ENOTDIR' ? 'it is not a folder' : firstLine(info));
    if (info === null && path.dirname(at) !== at) {
      at = path.dirname(at);
      continue;
    }
    if (!info?.isDirectory()) throw refuse(at === path.resolve(dir) ? 'it is not a folder' : `${at} is not a folder`);
    break;
  }
  await access(at, constants.W_OK).catch(() => {
    throw refuse(`${at} is not writable`);
  });
}

/** Chat: hand the request to the session's worker and return at once. CLI: run it and print events. */
export async function runTraining(request: TrainingRequest, ctx: CommandContext): Promise<void> {
  await checkModelsDir(request.modelsDir);
  if (ctx.chat) {
    refuseWhileTraining(ctx);
    ctx.chat.startTraining(request);
    ctx.out.line(`${request.kind === 'train' ? 'training' : 'fine-tuning'} ${request.name} in the background — /stop ends it with a save; /use ${request.name} once a checkpoint lands`);
    return;
  }
  const { startTraining } = await import('../engine/runtime/worker/client.js');
  const printer = new EventPrinter((line) => ctx.out.line(line));
  const handle = startTraining(request, (event) => printer.handle(event));
  const onAbort = () => handle.stop();
  ctx.signal?.addEventListener('abort', onAbort, { once: true });
  if (ctx.signal?.aborted) onAbort();
  let result: TrainResult;
  try {
    result = await handle.done;
  } catch (error) {
    throw new CommandError(firstLine(error));
  } finally {
    ctx.signal?.removeEventListener('abort', onAbort);
  }
  if (result.report) for (const line of reportLines(result.report)) ctx.out.line(line);
  if (request.kind === 'finetune' && request.task === 'classify') {
    if (result.classifyReport) for (const line of classifyReportLines(result.classifyReport)) ctx.out.line(line);
    ctx.out.line(classifyResultLine(result) + (result.classifyReport ? `; try: inkling classify --model ${result.name} --text "..."` : ''));
  } else ctx.out.line(resultLine(result));
}
