// The engine and command functions the session calls, gathered so tests can pass fakes
// (the real ones load tfjs and start workers). `real-engine.ts` binds the real modules.
import type { CommandContext, DownloadRequest } from '../commands/types.js';
import type { DownloadJob } from '../commands/hf-download.js';
import type { LoadedModel } from '../engine/store/checkpoint.js';
import type { NextTokenProbs, SampleOptions, TokenProbs, TrainEvent, TrainingRequest } from '../engine/types.js';
import type { TrainingHandle } from '../engine/runtime/worker/client.js';
import type { GenerateFn } from '../engine/sample.js';

export interface SessionDeps {
  /** Model names: the user's models folder first, then the shipped ones. */
  listModels(): Promise<string[]>;
  /** Find a model by name (a training run's name gives its latest checkpoint) and load it. One-line Error. */
  loadModel(name: string): Promise<LoadedModel>;
  /** engine/sample.ts generate: stream a reply. */
  generate: GenerateFn;
  /** The probability panels' engine calls; absent where they are not available. */
  probe?: ProbeDeps;
  /** A classifier's lines for one input (label, then probability bars); only for models with task "classify". */
  classify?(loaded: LoadedModel, text: string): Promise<string[]>;
  startTraining(request: TrainingRequest, onEvent: (event: TrainEvent) => void): TrainingHandle;
  /** A slash-command line: parse and run; user errors may be thrown or written to ctx.out.error. */
  runCommandLine(line: string, ctx: CommandContext): Promise<void>;
  /** A pull or import (commands/hf-download.ts): resolves to its result line, rejects with a one-line error. */
  runDownload(request: DownloadRequest, job: DownloadJob): Promise<string>;
  /** Completions for the last word of `line`. */
  completeInput(line: string, ctx: CommandContext): Promise<string[]>;
}

/** What /next and /step need from the engine (engine/stepper.ts), narrowed so tests can fake it. */
export interface ProbeDeps {
  readNext(loaded: LoadedModel, prompt: string, top: number): Promise<{ view(options: SampleOptions): NextTokenProbs }>;
  startStepper(
    loaded: LoadedModel,
    prompt: string,
    options: SampleOptions,
    top: number,
  ): Promise<{
    options: SampleOptions;
    readonly tokens: readonly TokenProbs[];
    readonly text: string;
    view(): NextTokenProbs;
    accept(id: number): Promise<TokenProbs>;
    sample(): Promise<TokenProbs>;
    undo(): Promise<void>;
    dispose(): void;
  }>;
}
