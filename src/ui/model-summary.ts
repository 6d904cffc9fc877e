// What the UI sees of the chat (the view, and the model in use in it), and a classifier's answer as a turn.
import { contextReach } from '../commands/context.js';
import { firstLine } from '../engine/first-line.js';
import type { LoadedModel } from '../engine/store/checkpoint.js';
import type { SessionDeps } from './engine-deps.js';
import { instructOf } from './instruct-turns.js';
import type { ChatSettings } from '../commands/types.js';
import type { Panels } from './probs/panel.js';
import type { PromptQueue } from './prompt-queue.js';
import type { ReplyState } from './reply.js';
import type { TrainingTracker } from './training-tracker.js';
import type { Downloads } from './download-tracker.js';
import type { TurnLog } from './turn-log.js';
import type { ChatView, LiveText, ModelSummary, NewTurn } from './types.js';

export interface ViewParts {
  log: TurnLog;
  reply: ReplyState;
  commandLive: LiveText | null;
  loaded: LoadedModel | null;
  backend: string;
  settings: ChatSettings;
  tracker: TrainingTracker | null;
  downloads: Downloads;
  quitting: boolean;
  queue: PromptQueue;
  panels: Panels;
}

/** A new view object (React compares views by identity). */
export function viewOf(p: ViewParts): ChatView {
  return {
    turns: p.log.turns,
    epoch: p.log.epoch,
    live: p.reply.live ?? p.commandLive,
    generating: p.reply.busy,
    model: p.loaded ? modelSummary(p.loaded) : null,
    backend: p.backend,
    settings: p.settings,
    lastTokensPerSec: p.reply.lastTokensPerSec,
    training: p.tracker?.view ?? null,
    download: p.downloads.view,
    quitting: p.quitting,
    queued: p.queue.list,
    panel: p.panels.view,
  };
}

export function modelSummary(loaded: LoadedModel): ModelSummary {
  const m = loaded.manifest;
  return {
    name: loaded.name,
    arch: m.arch,
    params: m.params,
    reach: contextReach(m),
    ...(m.task ? { task: m.task } : {}),
    ...(instructOf(loaded.tokenizer) ? { instruct: true } : {}),
  };
}

/** Labelled probability bars for one input, or the one-line error. */
export async function classifyTurn(classify: SessionDeps['classify'], loaded: LoadedModel, text: string): Promise<NewTurn> {
  if (!classify) return { kind: 'error', text: 'this chat cannot run classifiers' };
  try {
    return { kind: 'info', text: [`${loaded.name}:`, ...(await classify(loaded, text))].join('\n') };
  } catch (err) {
    return { kind: 'error', text: firstLine(err) };
  }
}
