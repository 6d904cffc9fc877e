// Fake engine pieces for the UI tests: no tfjs, no workers, fully controllable.
import type { LoadedModel } from '../../src/engine/store/checkpoint.js';
import type { GenerationResult, SampleOptions, TrainEvent, TrainingRequest, TrainResult } from '../../src/engine/types.js';
import type { TrainingHandle } from '../../src/engine/runtime/worker/client.js';
import type { SessionDeps } from '../../src/ui/engine-deps.js';
import { fakeManifest } from './manifest.js';
import { ModelNotFoundError } from '../../src/engine/store/registry.js';

export interface FakeLoaded extends LoadedModel {
  disposed: boolean;
}

/** A char-level fake: one token per character, context window `contextLength`. */
export function fakeLoaded(name: string, contextLength: number | null = 64): FakeLoaded {
  const loaded: FakeLoaded = {
    name,
    dir: `/models/${name}`,
    manifest: fakeManifest(name),
    model: { contextLength } as LoadedModel['model'],
    tokenizer: { encode: (text: string) => ({ ids: Array.from(text, (c) => c.charCodeAt(0)), unknown: 0 }) } as LoadedModel['tokenizer'],
    disposed: false,
    dispose() {
      loaded.disposed = true;
    },
  };
  return loaded;
}

export interface GenerateCall {
  model: string;
  prompt: string;
  options: SampleOptions;
}

export interface FakeTraining {
  request: TrainingRequest;
  emit(event: TrainEvent): void;
  finish(result?: Partial<TrainResult>): void;
  fail(message: string): void;
  stopped: boolean;
}

export interface FakeEngine {
  deps: SessionDeps;
  loads: FakeLoaded[];
  generateCalls: GenerateCall[];
  trainings: FakeTraining[];
  commandLines: string[];
}

/**
 * `models`: names that load; generation streams `reply` piece by piece (awaiting between pieces,
 * like the real sampler) and honours the abort signal.
 */
export function fakeEngine(options: { models?: string[]; reply?: string[]; tokensPerSec?: number; pieceDelayMs?: number } = {}): FakeEngine {
  const models = options.models ?? ['alpha', 'beta'];
  const engine: FakeEngine = { deps: undefined as unknown as SessionDeps, loads: [], generateCalls: [], trainings: [], commandLines: [] };
  engine.deps = {
    listModels: async () => models,
    loadModel: async (name) => {
      if (!models.includes(name)) throw new ModelNotFoundError(name);
      const loaded = fakeLoaded(name);
      engine.loads.push(loaded);
      return loaded;
    },
    generate: async (loaded, prompt, opts, onText, signal): Promise<GenerationResult> => {
      engine.generateCalls.push({ model: loaded.name, prompt, options: opts });
      let text = '';
      for (const piece of options.reply ?? [' hello', ' there']) {
        await new Promise((resolve) => setTimeout(resolve, options.pieceDelayMs ?? 0));
        if (signal?.aborted) return result(text, 'abort');
        text += piece;
        onText(piece);
      }
      return result(text, 'max-tokens');
    },
    startTraining: (request, onEvent): TrainingHandle => {
      let resolve!: (r: TrainResult) => void;
      let reject!: (e: Error) => void;
      const done = new Promise<TrainResult>((res, rej) => ((resolve = res), (reject = rej)));
      const training: FakeTraining = {
        request,
        stopped: false,
        emit: onEvent,
        finish: (r) => resolve({ name: request.name, step: 100, bestValLoss: 1.5, stoppedBy: 'steps', wallSeconds: 3, ...r }),
        fail: (message) => reject(new Error(message)),
      };
      engine.trainings.push(training);
      return {
        stop: () => {
          training.stopped = true;
          training.finish({ stoppedBy: 'stop' });
        },
        done,
      };
    },
    runCommandLine: async (line, ctx) => {
      engine.commandLines.push(line);
      ctx.out.line(`ran ${line}`);
    },
    // The real one: a test points it at a fake hub or a fixture folder.
    runDownload: async (request, job) => (await import('../../src/commands/hf-download.js')).runDownload(request, job),
    completeInput: async (line) => (line.startsWith('/he') ? ['/help'] : []),
  };
  function result(text: string, stoppedBy: GenerationResult['stoppedBy']): GenerationResult {
    return { text, tokens: text.length, tokensPerSec: options.tokensPerSec ?? 42, msToFirstToken: 1, stoppedBy, unknownPromptPieces: 0 };
  }
  return engine;
}
