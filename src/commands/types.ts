// The command contract: one module per command, shared by the CLI (`inkling <cmd>`) and the chat (`/cmd`).
import type { BackendName, GenerationResult, Manifest, SampleOptions, TrainEvent, TrainingRequest } from '../engine/types.js';

export type Scope = 'cli' | 'chat';

/** Thrown by a parser or a command for a user error: shown as one line, never a stack trace. */
export class CommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandError';
  }
}

/** Where a command writes. The CLI prints lines; the chat appends them to the transcript. */
export interface Output {
  /**
   * A finished line (or block) of text. `saveAs`: what /save writes for it instead (Markdown), when the
   * screen layout is not the content (the columns of /compare).
   */
  line(text: string, saveAs?: string): void;
  /** Live text that replaces the last one shown (a layout redrawn as it fills); gone at the next line. Optional. */
  show?(text: string): void;
  /** Streamed text with no newline added (tokens as they come). */
  write(text: string): void;
  /** A one-line error: the CLI prints it to stderr and exits non-zero; the chat shows it in red. */
  error(text: string): void;
  /** A status or diagnostic line (backend in use, stats, warnings): the CLI prints it to stderr. Optional. */
  info?(text: string): void;
}

export interface SamplingSettings {
  temperature: number;
  topK: number;
  topP: number;
  maxTokens: number;
  /** null: a fresh random seed each reply. */
  seed: number | null;
}

export interface ChatSettings extends SamplingSettings {
  /** Prepend earlier turns as context (within the model's window). */
  context: boolean;
  /** Colour each token of a reply by its probability (/probs on|off). */
  probs: boolean;
}

export interface TrainingStatus {
  request: TrainingRequest;
  /** Latest events for the panel; the session keeps the loss history too. */
  last: TrainEvent | null;
  running: boolean;
}

/** A pull or import for the chat to run in the background, as data. */
export type DownloadRequest =
  | { kind: 'pull'; repo: string; name?: string; revision?: string }
  | { kind: 'import'; dir: string; name?: string };

export interface DownloadStatus {
  request: DownloadRequest;
  /** A pull stops between chunks (its partial folder stays, to resume); an import runs to its end. */
  stoppable: boolean;
}

/** The chat's state, as commands see it. Implemented in src/ui (session), UI-agnostic. */
export interface ChatSession {
  readonly settings: ChatSettings;
  setSetting<K extends keyof ChatSettings>(key: K, value: ChatSettings[K]): void;
  /** Name and manifest of the model replies come from, or null when none is loaded. */
  readonly model: { name: string; manifest: Manifest } | null;
  /** Load a model (a training run's name loads its latest checkpoint). Throws CommandError. */
  use(name: string): Promise<void>;
  readonly training: TrainingStatus | null;
  /** Start a training or fine-tuning run in the background worker. Throws CommandError if one runs. */
  startTraining(request: TrainingRequest): void;
  /** Stop the running training after a save; false when nothing runs. */
  stopTraining(): boolean;
  /** The pull or import running in the background, or null. */
  readonly download: DownloadStatus | null;
  /** Run a pull or import in the background (a panel shows it). Throws CommandError if one runs. */
  startDownload(request: DownloadRequest): void;
  /** Stop the running pull; false when none runs or it cannot stop (an import). */
  stopDownload(): boolean;
  /** The system prompt of the model in use (instruct models; /system), or null. */
  readonly systemPrompt: string | null;
  /** Keep `text` as the system prompt of the model in use (null clears it). Throws CommandError without a model. */
  setSystemPrompt(text: string | null): void;
  /**
   * Generate a reply with a given model without switching (used by /compare). `onStart` says, once the model is
   * loaded, whether it answers the prompt as a chat message (an instruct model) rather than continuing it.
   */
  generateWith(name: string, prompt: string, options: SampleOptions, onText: (delta: string) => void, onStart?: (how: { chat: boolean }) => void): Promise<GenerationResult>;
  /** Open or close a probability panel (/next, /step, /inspect). Throws CommandError when it cannot open. */
  showPanel(request: PanelRequest): void;
  clearTranscript(): void;
  /** The transcript as Markdown (for /save). */
  transcriptMarkdown(): string;
  /** The backend in full (threads, skipped backends, accelerations), for /show. */
  readonly backendDetail?: string;
  quit(): void;
}

/** A probability panel to open, as data: the chat decides how it shows. */
export type PanelRequest = { kind: 'next' } | { kind: 'step'; prompt: string } | { kind: 'inspect' } | { kind: 'close' };

export interface CommandContext {
  modelsDir: string;
  backend?: BackendName;
  out: Output;
  /** Present in the chat, absent in the CLI. */
  chat?: ChatSession;
  /** Aborted by Ctrl-C / Esc / SIGINT. */
  signal?: AbortSignal;
  /** CLI only: open the chat pane, on `model` when given (`inkling chat MODEL`). Throws when stdin is not a terminal. */
  openChat?(model: string | undefined): Promise<void>;
  /** CLI only: standard input, for a prompt piped in (`echo TEXT | inkling generate`) or given as `--prompt -`. */
  stdin?: { isTTY: boolean; read(): Promise<string> };
  /** Called by a command before it loads a model in-process: the CLI picks (and names) the backend there, once. */
  prepareEngine?(): Promise<void>;
}

export interface Command<Args = unknown> {
  name: string;
  aliases?: string[];
  summary: string;
  /** One line, e.g. "train --corpus C --arch gpt|lstm|gru [--steps N]". */
  usage: string;
  /** Longer help: flags and examples. */
  help: string;
  scopes: Scope[];
  /** Parse argv (already split, without the command name). Throws CommandError. */
  parse(argv: string[]): Args;
  run(args: Args, ctx: CommandContext): Promise<void>;
  /** Completions for the word being typed (model names, setting names, flags). */
  complete?(words: string[], ctx: CommandContext): Promise<string[]> | string[];
  /** Chat only: split the raw text after `/name` into argv when plain quoting does not fit (e.g. `--text` takes the rest of the line). */
  splitChat?(raw: string): string[];
}
