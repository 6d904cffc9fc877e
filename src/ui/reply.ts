// One reply: stream a generation, and say afterwards what goes in the transcript.
import type { LoadedModel } from '../engine/store/checkpoint.js';
import type { SamplingSettings } from '../commands/types.js';
import type { SampleOptions } from '../engine/types.js';
import type { SessionDeps } from './engine-deps.js';
import { firstLine } from '../engine/first-line.js';
import { formatWindow } from '../commands/format.js';
import type { LiveText, NewTurn } from './types.js';

export interface ReplyOutcome {
  turns: NewTurn[];
  tokensPerSec: number | null;
}

/** Alternatives kept per token of a reply with /probs on: what /inspect and /save show. */
export const REPLY_CANDIDATES = 5;

/** Never throws: a failure is an error turn; a stop keeps what was written so far. */
export async function streamReply(
  generate: SessionDeps['generate'],
  loaded: LoadedModel,
  input: string,
  options: SampleOptions,
  signal: AbortSignal,
  onStream: (textSoFar: string) => void,
  probs = false,
): Promise<ReplyOutcome> {
  let streamed = '';
  try {
    const request = probs ? { top: REPLY_CANDIDATES } : undefined;
    const result = await generate(loaded, input, options, (delta) => onStream((streamed += delta)), signal, request);
    const turns: NewTurn[] = [
      {
        kind: 'reply', model: loaded.name, text: result.text, tokensPerSec: result.tokensPerSec, stopped: result.stoppedBy === 'abort',
        ...(result.tokenProbs ? { tokens: result.tokenProbs } : {}),
      },
    ];
    if (result.unknownPromptPieces > 0) {
      turns.push({ kind: 'info', text: `${result.unknownPromptPieces} piece(s) of the prompt are not in ${loaded.name}'s vocabulary and were skipped.` });
    }
    if (result.droppedPromptTokens) turns.push({ kind: 'info', text: longPromptNote(loaded, result.droppedPromptTokens) });
    return { turns, tokensPerSec: result.tokensPerSec };
  } catch (err) {
    if (signal.aborted) return { turns: [{ kind: 'reply', model: loaded.name, text: streamed, tokensPerSec: 0, stopped: true }], tokensPerSec: null };
    return { turns: [{ kind: 'error', text: `Generation failed: ${firstLine(err)}` }], tokensPerSec: null };
  }
}

/** A prompt longer than the model's window, in the model's units, with what to do about it. */
export function longPromptNote(loaded: Pick<LoadedModel, 'name' | 'manifest' | 'model'>, dropped: number): string {
  const kind = loaded.manifest.tokenizer.kind;
  const window = loaded.model.contextLength;
  const used = window === null ? 'its end' : `its last ${formatWindow(window, kind)}`;
  return (
    `The prompt is longer than ${loaded.name} can see: it continued from ${used} and left out the first ${formatWindow(dropped, kind)}. ` +
    'To have it continue a passage, paste just the end of it; /models lists models with longer windows.'
  );
}

/** What a prompt gets with no model open and none on its way (a busy or coming model queues it: see Chat.prompt). */
export const NO_MODEL = 'No model loaded: /models lists them, /use NAME loads one.';

export function sampleOptionsFrom(s: SamplingSettings): SampleOptions {
  return { maxTokens: s.maxTokens, temperature: s.temperature, topK: s.topK, topP: s.topP, seed: s.seed ?? undefined };
}

/** The reply being written, if any: its live text, how to stop it, and the speed of the last one. */
export class ReplyState {
  live: LiveText | null = null;
  lastTokensPerSec: number | null = null;
  private current: { abort: AbortController; done: Promise<void> } | null = null;

  constructor(private readonly changed: () => void) {}

  get busy(): boolean {
    return this.current !== null;
  }

  /** Stop the reply being written; false when there was none. */
  abort(): boolean {
    this.current?.abort.abort();
    return this.current !== null;
  }

  /** Stop it and wait until it has let go of the model. */
  async stop(): Promise<void> {
    const current = this.current;
    current?.abort.abort();
    await current?.done;
  }

  /** Stream one reply from `loaded`, showing it live; returns the turns it leaves in the transcript. */
  async run(
    generate: SessionDeps['generate'],
    loaded: LoadedModel,
    input: string,
    options: SampleOptions,
    probs: boolean,
  ): Promise<NewTurn[]> {
    const abort = new AbortController();
    let finished!: () => void;
    this.current = { abort, done: new Promise<void>((resolve) => (finished = resolve)) };
    this.show({ label: loaded.name, text: '' });
    try {
      const outcome = await streamReply(generate, loaded, input, options, abort.signal, (text) => this.show({ label: loaded.name, text }), probs);
      this.lastTokensPerSec = outcome.tokensPerSec ?? this.lastTokensPerSec;
      return outcome.turns;
    } finally {
      this.live = null;
      this.current = null;
      finished();
    }
  }

  private show(live: LiveText): void {
    this.live = live;
    this.changed();
  }
}
