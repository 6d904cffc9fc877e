// Follows one background training run: the latest figures for the panel, the loss history for the
// chart, and the lines worth keeping in the transcript (start, completion, errors).
import { CommandError, type TrainingStatus } from '../commands/types.js';
import type { TrainEvent, TrainingRequest, TrainResult } from '../engine/types.js';
import type { TrainingHandle } from '../engine/runtime/worker/client.js';
import { formatDuration } from '../commands/format.js';
import { firstLine } from '../engine/first-line.js';
import { classifyResultLine, regressionWarning, reportLines } from '../commands/training-report.js';
import { classifyReportLines } from '../commands/classify-report.js';
import type { LossPoint, TrainingView } from './types.js';

/** Enough for a readable chart; older points are thinned, not dropped. */
const MAX_POINTS = 1000;

export interface TrackerSink {
  line(kind: 'info' | 'error', text: string): void;
  changed(): void;
  /** The name of the model the chat replies with, if any. */
  modelInUse(): string | null;
  /** A checkpoint landed (the first one makes a fresh model usable). */
  checkpoint(name: string, step: number): void;
}

export class TrainingTracker {
  private last: TrainEvent | null = null;
  private running = true;
  private losses: LossPoint[] = [];
  private figures = {
    step: 0,
    totalSteps: null as number | null,
    etaSeconds: null as number | null,
    tokensPerSec: null as number | null,
    trainLoss: null as number | null,
    valLoss: null as number | null,
  };
  private cachedView: TrainingView | null = null;
  private handle: TrainingHandle | null = null;
  private saved = false;
  private start: Extract<TrainEvent, { type: 'start' }> | null = null;
  private pace: { step: number; elapsedSeconds: number } | null = null;

  constructor(
    readonly request: TrainingRequest,
    private readonly sink: TrackerSink,
  ) {}

  get isRunning(): boolean {
    return this.running;
  }

  /** A checkpoint of this run has landed, so its name loads. */
  get hasSaved(): boolean {
    return this.saved;
  }

  /** For a /use of this run before its first checkpoint: when that comes. */
  notSavedYet(): string {
    const name = this.request.name;
    const every = this.start?.saveEvery;
    if (!every) return `${name} has not saved a checkpoint yet: /use ${name} once its first one lands.`;
    const step = this.figures.step;
    const next = (Math.floor(step / every.steps) + 1) * every.steps;
    const byTime = `${every.seconds} s into the run`;
    const pace = this.pace;
    if (!pace || pace.elapsedSeconds <= 0 || step <= this.start!.startStep) {
      return `${name} has not saved a checkpoint yet: the first comes at step ${next} or ${byTime}, whichever is sooner. /use ${name} then.`;
    }
    const stepsPerSecond = (step - this.start!.startStep) / pace.elapsedSeconds;
    const seconds = Math.max(0, Math.min((next - step) / stepsPerSecond, every.seconds - pace.elapsedSeconds));
    return `${name} has not saved a checkpoint yet: the first comes at step ${next} or ${byTime}, in about ${formatDuration(seconds)}. /use ${name} then.`;
  }

  get status(): TrainingStatus {
    return { request: this.request, last: this.last, running: this.running };
  }

  /** Immutable between changes, so React can compare it cheaply. */
  get view(): TrainingView {
    this.cachedView ??= {
      name: this.request.name,
      kind: this.request.kind,
      from: this.request.kind === 'finetune' ? this.request.from : null,
      running: this.running, ...this.figures, losses: this.losses.slice() };
    return this.cachedView;
  }

  /**
   * Start `request` with `start` (the worker) and follow it, unless `current` still runs (one run at a time);
   * a run that cannot start throws a one-line CommandError.
   */
  static launch(current: TrainingTracker | null, request: TrainingRequest, sink: TrackerSink, start: (request: TrainingRequest, onEvent: (event: TrainEvent) => void) => TrainingHandle): TrainingTracker {
    if (current?.isRunning) throw new CommandError(`${current.request.name} is still training: one run at a time (/stop ends it).`);
    const tracker = new TrainingTracker(request, sink);
    try {
      tracker.attach(start(request, (event) => tracker.onEvent(event)));
    } catch (err) {
      throw new CommandError(firstLine(err));
    }
    return tracker;
  }

  /** Follow the run's handle: its promise ends the run too (a crash may send no `done`/`error` event). */
  attach(handle: TrainingHandle): void {
    this.handle = handle;
    handle.done.then(
      (result) => this.finish(result),
      (err) => this.fail(firstLine(err)),
    );
  }

  /** Ask the run to stop after a checkpoint; false when it is not running. */
  stop(): boolean {
    if (!this.running || !this.handle) return false;
    this.handle.stop();
    return true;
  }

  /** Stop and wait (at most `timeoutMs`) for the final save. */
  async stopAndWait(timeoutMs: number): Promise<void> {
    if (!this.stop() || !this.handle) return;
    const done = this.handle.done.then(() => undefined, () => undefined);
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
  }

  onEvent(event: TrainEvent): void {
    if (!this.running) return;
    this.last = event;
    switch (event.type) {
      case 'start':
        this.start = event;
        this.figures.totalSteps = event.totalSteps;
        this.figures.step = event.startStep;
        this.sink.line('info', event.message || `Training ${event.name} on ${event.backend} (${event.params} parameters).`);
        break;
      case 'progress':
        Object.assign(this.figures, {
          step: event.step,
          totalSteps: event.totalSteps,
          etaSeconds: event.etaSeconds,
          tokensPerSec: event.tokensPerSec,
          trainLoss: event.trainLoss,
        });
        this.addPoint({ step: event.step, train: event.trainLoss });
        this.pace = { step: event.step, elapsedSeconds: event.elapsedSeconds };
        break;
      case 'eval':
        this.figures.valLoss = event.valLoss;
        this.addPoint({ step: event.step, train: event.trainLoss, val: event.valLoss });
        break;
      case 'checkpoint':
        this.saved = true;
        this.sink.checkpoint(this.request.name, event.step);
        break;
      case 'log':
        this.sink.line('info', event.message);
        break;
      case 'done':
        this.finish(event.result);
        return;
      case 'error':
        this.fail(event.message);
        return;
    }
    this.touch();
  }

  /** The run ended (from the `done` event or the handle's promise, whichever comes first). */
  finish(result: TrainResult): void {
    if (!this.running) return;
    this.running = false;
    const best = result.bestValLoss === null ? '' : `, best val loss ${result.bestValLoss.toFixed(3)}`;
    // The model in use may be this run, loaded from an earlier checkpoint (a first run opens itself).
    const next =
      this.sink.modelInUse() === result.name
        ? `You are chatting with an earlier checkpoint of it: /use ${result.name} loads the final one.`
        : `/use ${result.name} to chat with it.`;
    if (this.request.kind === 'finetune' && this.request.task === 'classify') {
      this.sink.line('info', `${classifyResultLine(result)}${result.classifyReport ? `: /use ${result.name} for classification mode` : ''}.`);
      if (result.classifyReport) this.sink.line('info', classifyReportLines(result.classifyReport).join('\n'));
    } else this.sink.line('info', `Training ${result.name} finished at step ${result.step} (${result.stoppedBy}${best}). ${next}`);
    if (result.report) {
      const lines = reportLines(result.report);
      const warning = regressionWarning(result.report);
      this.sink.line('info', lines.filter((l) => l !== warning).join('\n'));
      // Its own line, so it is not lost among the figures.
      if (warning) this.sink.line('error', warning);
    }
    this.touch();
  }

  fail(message: string): void {
    if (!this.running) return;
    this.running = false;
    this.sink.line('error', `Training ${this.request.name} failed: ${message}`);
    this.touch();
  }

  private addPoint(point: LossPoint): void {
    const prev = this.losses[this.losses.length - 1];
    // An eval at the step of the last progress event completes that point instead of adding one.
    if (prev && prev.step === point.step) this.losses[this.losses.length - 1] = { ...prev, ...point };
    else this.losses.push(point);
    if (this.losses.length > MAX_POINTS) {
      const lastIndex = this.losses.length - 1;
      this.losses = this.losses.filter((p, i) => i % 2 === 0 || i === lastIndex || p.val !== undefined);
    }
  }

  private touch(): void {
    this.cachedView = null;
    this.sink.changed();
  }
}
