// What the Ink tree sees of the chat: an immutable view plus a few actions. The session implements it;
// component tests use a fake.
import type { ChatSettings } from '../commands/types.js';
import type { Arch, TokenProbs } from '../engine/types.js';
import type { PullProgress } from '../engine/store/hf-pull.js';
import type { PanelKey, PanelView } from './probs/panel.js';

export type Turn =
  | { id: number; kind: 'user'; text: string }
  /** A slash command as typed. */
  | { id: number; kind: 'command'; text: string }
  | {
      id: number;
      kind: 'reply';
      model: string;
      text: string;
      tokensPerSec: number;
      stopped: boolean;
      /** Each token with its probabilities, when /probs was on (or the reply was stepped). */
      tokens?: readonly TokenProbs[];
      /** Written token by token by hand (/step). */
      stepped?: boolean;
    }
  /** Output of a slash command. */
  /** `saveAs`: what /save writes instead of the screen text (Markdown). */
  | { id: number; kind: 'output'; text: string; saveAs?: string }
  | { id: number; kind: 'error'; text: string }
  /** Notices from the app itself (model loaded, training finished, warnings). */
  | { id: number; kind: 'info'; text: string };

/** A turn before it gets its id. */
export type NewTurn = Turn extends infer T ? (T extends Turn ? Omit<T, 'id'> : never) : never;

export interface ModelSummary {
  name: string;
  arch: Arch;
  params: number;
  /** A classifier: inputs get label probabilities, not a continuation. */
  task?: 'classify';
  /** How much of the conversation /context on can feed it: "last 64 chars". */
  reach?: string;
  /** An instruct model: chat mode, replies through its chat template. */
  instruct?: boolean;
}

export interface LossPoint {
  step: number;
  train: number;
  val?: number;
}

export interface TrainingView {
  name: string;
  kind: 'train' | 'finetune';
  /** The base model of a fine-tune. */
  from: string | null;
  running: boolean;
  step: number;
  totalSteps: number | null;
  etaSeconds: number | null;
  tokensPerSec: number | null;
  trainLoss: number | null;
  valLoss: number | null;
  losses: readonly LossPoint[];
}

/** A pull or import running in the background, for its panel. */
export interface DownloadView {
  /** "pulling openai-community/gpt2", "importing /home/me/gpt2 as gpt2" */
  title: string;
  /** Bytes so far (a pull); null before the first bytes, and for an import. */
  progress: PullProgress | null;
  /** /stop was asked; the pull ends at its next chunk. */
  stopping: boolean;
}

/** Text streaming in right now: a model's reply, or a command writing piece by piece. */
export interface LiveText {
  label: string;
  text: string;
}

export interface ChatView {
  turns: readonly Turn[];
  /** Bumped by /clear so the <Static> transcript starts afresh. */
  epoch: number;
  live: LiveText | null;
  generating: boolean;
  model: ModelSummary | null;
  backend: string;
  settings: ChatSettings;
  lastTokensPerSec: number | null;
  training: TrainingView | null;
  /** The background pull or import, if any. */
  download?: DownloadView | null;
  quitting: boolean;
  /** Prompts sent while a reply streams or a model opens, oldest first: they go when the model is free. */
  queued: readonly string[];
  /** The open probability panel (/next, /step, /inspect), if any. */
  panel?: PanelView | null;
}

export interface HistoryNavigator {
  /** The previous entry (older), or undefined at the oldest. `draft` is kept to come back to. */
  up(draft: string): string | undefined;
  /** The next entry (newer), the draft past the newest, or undefined when not walking. */
  down(): string | undefined;
  /** Forget the walk position (after a submit or an edit). */
  reset(): void;
}

export interface ChatController {
  getView(): ChatView;
  subscribe(listener: () => void): () => void;
  /** A typed line: a slash command or a prompt. Never throws: problems become transcript lines. */
  submit(line: string): Promise<void>;
  /** Completions for the last word of `line`. */
  complete(line: string): Promise<string[]>;
  /** Stop the generation or command in progress; false when nothing was running. */
  interrupt(): boolean;
  readonly history: HistoryNavigator;
  quit(): void;
  /** The probability panels: keys for /step and /inspect, and the draft for /next. Absent in some tests. */
  readonly panels?: {
    /** False when the key is not the open panel's (then the input box takes it). */
    key(key: PanelKey): boolean;
    close(): void;
    /** The input box's text, as typed. */
    draftChanged(text: string): void;
  };
}
