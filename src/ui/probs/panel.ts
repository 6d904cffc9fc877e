// The probability panels, with no React: /next (the next-token distribution of the draft, live),
// /step (generation one token at a time) and /inspect (a cursor over the last reply's tokens).
// Model work runs on the main thread, so the draft is read after a pause in typing, and only the latest.
import type { ChatSettings, PanelRequest } from '../../commands/types.js';
import { CommandError } from '../../commands/types.js';
import type { LoadedModel } from '../../engine/store/checkpoint.js';
import type { NextTokenProbs, SampleOptions, TokenProbs } from '../../engine/types.js';
import { firstLine } from '../../engine/first-line.js';
import type { ProbeDeps } from '../engine-deps.js';
import { sampleOptionsFrom } from '../reply.js';
import type { NewTurn, Turn } from '../types.js';

/** Candidates listed in the /next and /step panels. */
export const PANEL_CANDIDATES = 15;
/** Quiet time after the last key before /next reads the draft. */
export const DRAFT_DEBOUNCE_MS = 150;

export type PanelView =
  | { kind: 'next'; prompt: string; probs: NextTokenProbs | null; settings: SampleOptions; busy: boolean; error: string | null }
  | {
      kind: 'step';
      prompt: string;
      tokens: readonly TokenProbs[];
      probs: NextTokenProbs | null;
      settings: SampleOptions;
      highlighted: number;
      busy: boolean;
      error: string | null;
    }
  | { kind: 'inspect'; tokens: readonly TokenProbs[]; cursor: number };

export interface PanelHost {
  loaded(): LoadedModel | null;
  settings(): ChatSettings;
  turns(): readonly Turn[];
  push(turn: NewTurn): void;
  changed(): void;
}

export type PanelKey = 'up' | 'down' | 'left' | 'right' | 'accept' | 'sample' | 'undo' | 'end';

type Stepper = Awaited<ReturnType<ProbeDeps['startStepper']>>;
type Next = Awaited<ReturnType<ProbeDeps['readNext']>>;

export class Panels {
  view: PanelView | null = null;
  private next: Next | null = null;
  private stepper: Stepper | null = null;
  private timer: NodeJS.Timeout | null = null;
  private draft = '';
  /** Bumped on close, so work started for an earlier panel knows it is stale. */
  private epoch = 0;
  /** Step actions run one after another, so keys pressed quickly all count, in order. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly host: PanelHost,
    private readonly deps: ProbeDeps | undefined,
  ) {}

  open(request: PanelRequest): void {
    if (request.kind === 'close') return this.close();
    if (request.kind === 'inspect') {
      const tokens = lastReplyTokens(this.host.turns());
      if (!tokens || tokens.length === 0) throw new CommandError('No reply with probabilities yet: /probs on, then send a prompt (or /step one).');
      this.set({ kind: 'inspect', tokens, cursor: tokens.length - 1 });
      return;
    }
    const loaded = this.host.loaded();
    if (!loaded) throw new CommandError('No model loaded: /use NAME first.');
    if (!this.deps) throw new CommandError('Probabilities are not available here.');
    this.close();
    if (request.kind === 'next') {
      this.set({ kind: 'next', prompt: this.draft, probs: null, settings: this.options(), busy: true, error: null });
      void this.readDraft();
    } else {
      this.set({ kind: 'step', prompt: request.prompt, tokens: [], probs: null, settings: this.options(), highlighted: 0, busy: true, error: null });
      const epoch = this.epoch;
      this.enqueue(async () => {
        const stepper = await this.deps!.startStepper(loaded, request.prompt, this.options(), PANEL_CANDIDATES);
        if (epoch === this.epoch) this.stepper = stepper;
        else stepper.dispose(); // closed while it started
      });
    }
  }

  close(): void {
    this.epoch++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.next = null;
    const stepper = this.stepper;
    this.stepper = null;
    // After queued steps: they may still be using it.
    if (stepper) this.queue = this.queue.then(() => stepper.dispose());
    if (this.view) this.set(null);
  }

  /** Closes any panel once queued steps are done (before the model they use goes). */
  async closed(): Promise<void> {
    await this.queue;
    this.close();
    await this.queue;
  }

  /** The input box's text changed: /next follows it after a pause in typing. */
  draftChanged(text: string): void {
    this.draft = text;
    if (this.view?.kind !== 'next') return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.readDraft();
    }, DRAFT_DEBOUNCE_MS);
  }

  /** Temperature, top-k or top-p changed: the panels re-read the same distribution, with no model run. */
  settingsChanged(): void {
    const settings = this.options();
    if (this.view?.kind === 'next') {
      this.set({ ...this.view, settings, probs: this.next ? this.next.view(settings) : null });
    } else if (this.view?.kind === 'step' && this.stepper) {
      this.stepper.options = settings;
      this.set({ ...this.view, settings, probs: this.stepper.view() });
    }
  }

  /** A key while a panel that takes keys is open; false when the key is not the panel's. */
  key(key: PanelKey): boolean {
    const view = this.view;
    if (view?.kind === 'inspect') {
      const move = key === 'left' || key === 'up' ? -1 : key === 'right' || key === 'down' ? 1 : 0;
      if (key === 'end') this.close();
      else if (move !== 0) this.set({ ...view, cursor: Math.max(0, Math.min(view.tokens.length - 1, view.cursor + move)) });
      else return false;
      return true;
    }
    if (view?.kind !== 'step') return false;
    if (key === 'up' || key === 'down') {
      // In the queue too: a Down typed during a step moves from where that step leaves the highlight.
      this.queue = this.queue.then(() => {
        if (this.view?.kind !== 'step') return;
        const count = this.view.probs?.candidates.length ?? 1;
        this.set({ ...this.view, highlighted: (this.view.highlighted + (key === 'up' ? count - 1 : 1)) % count });
      });
    } else if (key === 'accept') {
      this.enqueue(async () => void (await this.stepper?.accept(this.highlightedId(this.stepper))));
    } else if (key === 'sample') {
      this.enqueue(async () => void (await this.stepper?.sample()));
    } else if (key === 'undo') {
      this.enqueue(async () => this.stepper?.undo());
    } else if (key === 'end') {
      this.queue = this.queue.then(() => this.finishStep());
    } else {
      return false;
    }
    return true;
  }

  private highlightedId(stepper: Stepper): number {
    const view = this.view as PanelView | null;
    const candidates = stepper.view().candidates;
    return candidates[Math.min(view?.kind === 'step' ? view.highlighted : 0, candidates.length - 1)]!.id;
  }

  /** Esc in /step: what was accepted becomes a reply turn, marked as stepped by hand. */
  private finishStep(): void {
    const stepper = this.stepper;
    const view = this.view;
    const loaded = this.host.loaded();
    if (stepper && view?.kind === 'step' && stepper.tokens.length > 0) {
      if (view.prompt !== '') this.host.push({ kind: 'user', text: view.prompt });
      const tokens = [...stepper.tokens];
      this.host.push({ kind: 'reply', model: loaded?.name ?? '?', text: stepper.text, tokensPerSec: 0, stopped: false, tokens, stepped: true });
    }
    this.close();
  }

  private enqueue(action: () => Promise<void>): void {
    this.queue = this.queue.then(async () => {
      const view = this.view;
      if (view?.kind !== 'step') return;
      this.set({ ...view, busy: true });
      try {
        await action();
        const stepper = this.stepper;
        if (this.view?.kind === 'step' && stepper) {
          this.set({ ...this.view, tokens: [...stepper.tokens], probs: stepper.view(), highlighted: 0, busy: false, error: null });
        }
      } catch (err) {
        if (this.view?.kind === 'step') this.set({ ...this.view, busy: false, error: firstLine(err) });
      }
    });
  }

  private async readDraft(): Promise<void> {
    const loaded = this.host.loaded();
    const prompt = this.draft;
    if (this.view?.kind !== 'next' || !loaded || !this.deps) return;
    // A slash command is not a prompt, and a cleared box (to type /temp, say) keeps the text it had:
    // both keep showing the last distribution.
    if (prompt.trimStart().startsWith('/') || (prompt === '' && this.view.probs !== null)) return;
    this.set({ ...this.view, prompt, busy: true });
    try {
      const next = await this.deps.readNext(loaded, prompt, PANEL_CANDIDATES);
      // Typed on meanwhile, or closed: a newer read is due, or none is wanted.
      if (this.view?.kind !== 'next' || this.draft !== prompt) return;
      this.next = next;
      this.set({ ...this.view, probs: next.view(this.options()), settings: this.options(), busy: false, error: null });
    } catch (err) {
      if (this.view?.kind === 'next') this.set({ ...this.view, busy: false, error: firstLine(err) });
    }
  }

  private options(): SampleOptions {
    return sampleOptionsFrom(this.host.settings());
  }

  private set(view: PanelView | null): void {
    this.view = view;
    this.host.changed();
  }
}

/** The tokens of the last reply that has them, or null. */
function lastReplyTokens(turns: readonly Turn[]): readonly TokenProbs[] | null {
  for (let i = turns.length - 1; i >= 0; i--) {
    const turn = turns[i]!;
    if (turn.kind === 'reply' && turn.tokens) return turn.tokens;
  }
  return null;
}
