// Test doubles for commands: an Output that records, and an in-memory ChatSession.
import type { ChatSession, ChatSettings, CommandContext, Output, TrainingStatus } from '../../src/commands/types.js';
import { CommandError } from '../../src/commands/types.js';
import type { GenerationResult, Manifest, SampleOptions, TrainingRequest } from '../../src/engine/types.js';

export interface RecordingOutput extends Output {
  lines: string[];
  errors: string[];
  infos: string[];
  written: string;
  text(): string;
}

export function recordingOutput(): RecordingOutput {
  const out: RecordingOutput = {
    lines: [],
    errors: [],
    infos: [],
    written: '',
    line: (t) => void out.lines.push(t),
    write: (t) => void (out.written += t),
    error: (t) => void out.errors.push(t),
    info: (t) => void out.infos.push(t),
    text: () => out.lines.join('\n'),
  };
  return out;
}

export function fakeManifest(name: string, extra: Partial<Manifest> = {}): Manifest {
  return {
    format: 1,
    name,
    arch: 'gpt',
    config: { arch: 'gpt', vocabSize: 65, contextLength: 64, layers: 2, heads: 2, embedding: 32, dropout: 0 },
    train: {
      batchSize: 4, seqLength: 16, learningRate: 1e-3, minLearningRate: 1e-4, warmupSteps: 0, decaySteps: 10,
      weightDecay: 0.1, beta1: 0.9, beta2: 0.99, gradClip: 1, evalInterval: 5, evalBatches: 1,
    },
    tokenizer: { kind: 'char', vocabSize: 65 },
    corpus: { name: 'shakespeare', trainTokens: 1000, valTokens: 100 },
    parent: null,
    step: 120,
    bestValLoss: 2.345,
    history: [],
    params: 12345,
    backend: 'cpu',
    wallSeconds: 3,
    seed: 1,
    createdAt: '2026-11-26T00:00:00Z',
    updatedAt: '2026-11-26T00:00:00Z',
    ...extra,
  };
}

export interface FakeChat extends ChatSession {
  started: TrainingRequest[];
  calls: string[];
  known: string[];
}

export function fakeChat(known: string[] = ['s1', 's2']): FakeChat {
  const settings: ChatSettings = { temperature: 0.8, topK: 0, topP: 1, maxTokens: 200, seed: null, context: true };
  let model: FakeChat['model'] = null;
  let training: TrainingStatus | null = null;
  const chat: FakeChat = {
    started: [],
    calls: [],
    known,
    settings,
    setSetting(key, value) {
      (settings as unknown as Record<string, unknown>)[key] = value;
    },
    get model() {
      return model;
    },
    async use(name) {
      if (!known.includes(name)) throw new CommandError(`model '${name}' not found`);
      model = { name, manifest: fakeManifest(name) };
    },
    get training() {
      return training;
    },
    startTraining(request) {
      if (training?.running) throw new CommandError(`${training.request.name} is training: /stop it first`);
      chat.started.push(request);
      training = { request, last: null, running: true };
    },
    stopTraining() {
      if (!training?.running) return false;
      training = { ...training, running: false };
      return true;
    },
    async generateWith(name: string, prompt: string, options: SampleOptions, onText: (d: string) => void): Promise<GenerationResult> {
      chat.calls.push(`${name}|${prompt}|${options.seed}`);
      if (!known.includes(name)) throw new CommandError(`model '${name}' not found`);
      onText(`${name} says hi`);
      return { text: `${name} says hi`, tokens: 3, tokensPerSec: 42, msToFirstToken: 1, stoppedBy: 'max-tokens', unknownPromptPieces: 0 };
    },
    clearTranscript: () => void chat.calls.push('clear'),
    transcriptMarkdown: () => '# Inkling\n\nhello\n',
    quit: () => void chat.calls.push('quit'),
  };
  return chat;
}

export function chatContext(chat = fakeChat(), modelsDir = '/nonexistent/models'): CommandContext & { out: RecordingOutput; chat: FakeChat } {
  return { modelsDir, out: recordingOutput(), chat };
}

export function cliContext(modelsDir = '/nonexistent/models'): CommandContext & { out: RecordingOutput } {
  return { modelsDir, out: recordingOutput() };
}
