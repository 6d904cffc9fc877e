// Test doubles for commands: an Output that records, and an in-memory ChatSession.
import type { ChatSession, ChatSettings, CommandContext, DownloadRequest, Output, TrainingStatus } from '../../src/commands/types.js';
import { CommandError } from '../../src/commands/types.js';
import type { GenerationResult, SampleOptions, TrainingRequest } from '../../src/engine/types.js';
import { DEFAULT_SETTINGS } from '../../src/ui/settings-store.js';
import { fakeManifest } from './manifest.js';

export { fakeManifest } from './manifest.js';

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

export interface FakeChat extends ChatSession {
  started: TrainingRequest[];
  downloads: DownloadRequest[];
  calls: string[];
  known: string[];
}

export function fakeChat(known: string[] = ['s1', 's2']): FakeChat {
  const settings: ChatSettings = { ...DEFAULT_SETTINGS };
  let model: FakeChat['model'] = null;
  let training: TrainingStatus | null = null;
  const systems = new Map<string, string>();
  const chat: FakeChat = {
    started: [],
    downloads: [],
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
    get systemPrompt() {
      return model ? (systems.get(model.name) ?? null) : null;
    },
    setSystemPrompt(text) {
      if (!model) throw new CommandError('No model loaded: /use NAME first; the system prompt is kept per model.');
      if (text === null) systems.delete(model.name);
      else systems.set(model.name, text);
    },
    startTraining(request) {
      if (training?.running) throw new CommandError(`${training.request.name} is training: /stop it first`);
      chat.started.push(request);
      training = { request, last: null, running: true };
    },
    get download() {
      const request = chat.downloads.at(-1);
      return request ? { request, stoppable: request.kind === 'pull' } : null;
    },
    startDownload(request) {
      if (chat.downloads.length > 0) throw new CommandError('a download is running');
      chat.downloads.push(request);
    },
    stopDownload() {
      return chat.downloads.splice(0).length > 0;
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
    showPanel: (request) => void chat.calls.push(`panel ${JSON.stringify(request)}`),
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
