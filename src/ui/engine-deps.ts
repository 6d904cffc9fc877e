// The engine and command functions the session calls, gathered so tests can pass fakes
// (the real ones load tfjs and start workers). `real-engine.ts` binds the real modules.
import type { CommandContext } from '../commands/types.js';
import type { LoadedModel } from '../engine/store/checkpoint.js';
import type { GenerationResult, SampleOptions, TrainEvent, TrainingRequest } from '../engine/types.js';
import type { TrainingHandle } from '../engine/runtime/worker/client.js';

export interface SessionDeps {
  /** Model names: the user's models folder first, then the shipped ones. */
  listModels(): Promise<string[]>;
  /** Find a model by name (a training run's name gives its latest checkpoint) and load it. One-line Error. */
  loadModel(name: string): Promise<LoadedModel>;
  generate(
    loaded: LoadedModel,
    prompt: string,
    options: SampleOptions,
    onText: (delta: string) => void,
    signal?: AbortSignal,
  ): Promise<GenerationResult>;
  startTraining(request: TrainingRequest, onEvent: (event: TrainEvent) => void): TrainingHandle;
  /** A slash-command line: parse and run; user errors may be thrown or written to ctx.out.error. */
  runCommandLine(line: string, ctx: CommandContext): Promise<void>;
  /** Completions for the last word of `line`. */
  completeInput(line: string, ctx: CommandContext): Promise<string[]>;
}
