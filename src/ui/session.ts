// The chat's state and actions, with no React: transcript, settings, the loaded model, generation,
// background training. Commands see it as a ChatSession; the Ink tree as a ChatController.
import { type ChatSession, type ChatSettings, type CommandContext, CommandError, type DownloadRequest, type Output, type PanelRequest, type TrainingStatus } from '../commands/types.js';
import type { LoadedModel } from '../engine/store/checkpoint.js';
import type { GenerationResult, Manifest, SampleOptions, TrainingRequest } from '../engine/types.js';
import { buildContextPrompt } from './context.js';
import { answerWith, chatModeNote, conversationOf, instructOf } from './instruct-turns.js';
import { classifyTurn, viewOf } from './model-summary.js';
import { runCommandLine } from './command-run.js';
import { generateWithModel } from './generate-with.js';
import { firstLine } from '../engine/first-line.js';
import { explainLoadFailure } from './load-failure.js';
import { NO_MODEL, ReplyState, sampleOptionsFrom } from './reply.js';
import { defaultFirstRunTraining, openCheckpoint, openFirstModel } from './startup.js';
import { silentOutput } from './transcript-output.js';
import type { SessionDeps } from './engine-deps.js';
import { InputHistory } from './history.js';
import { PromptQueue } from './prompt-queue.js';
import { ThrottledNotifier } from './notifier.js';
import { SettingsStore } from './settings-store.js';
import { TrainingTracker } from './training-tracker.js';
import { Downloads } from './download-tracker.js';
import { transcriptToMarkdown } from './transcript-markdown.js';
import type { SessionOptions } from './session-options.js';
export type { SessionOptions };
import { TurnLog } from './turn-log.js';
import { Panels } from './probs/panel.js';
import type { ChatController, ChatView, LiveText, NewTurn } from './types.js';

/** The chat: the one session object behind the UI (transcript, settings, model, training). */
export class Chat implements ChatSession, ChatController {
  readonly history: InputHistory;
  readonly backendDetail: string | undefined;
  private readonly store: SettingsStore;
  private readonly deps: SessionDeps;
  private loaded: LoadedModel | null = null;
  private readonly log = new TurnLog();
  private commandLive: LiveText | null = null;
  private readonly reply = new ReplyState(() => this.changed());
  private readonly commandAborts = new Set<AbortController>();
  private tracker: TrainingTracker | null = null;
  private readonly downloads: Downloads;
  private quitting = false;
  private starting = false;
  /** Counts loads: a load that a later one overtook is dropped (a /use typed during startup wins). */
  private useTicket = 0;
  private readonly queue = new PromptQueue(
    () => !this.reply.busy && !this.starting && this.loaded !== null,
    (text) => void this.prompt(text),
    () => this.changed(),
  );
  private view: ChatView;
  private readonly notifier: ThrottledNotifier;
  readonly panels: Panels;

  constructor(private readonly options: SessionOptions) {
    this.deps = options.deps;
    this.backendDetail = options.backendDetail;
    this.notifier = new ThrottledNotifier(options.frameMs);
    this.store = new SettingsStore(options.configDir);
    this.history = InputHistory.inFolder(options.configDir, options.historyLimit);
    const host = { loaded: () => this.loaded, settings: () => this.settings, turns: () => this.log.turns };
    this.downloads = new Downloads({ line: (kind, text) => this.push({ kind, text }), changed: () => this.changed() }, this.deps.runDownload, options.modelsDir);
    this.panels = new Panels({ ...host, push: (turn) => this.push(turn), changed: () => this.changed() }, this.deps.probe);
    this.view = this.buildView();
    this.drainWarnings();
  }

  /** Load the last used model, else the first listed one, else train a first model in the background. */
  async start(): Promise<void> {
    this.starting = true;
    await openFirstModel({
      requested: this.options.openModel,
      lastModel: this.store.lastModel,
      listModels: () => this.deps.listModels(),
      use: (name) => this.useLatest(name),
      firstRun: { backend: this.options.backend, ...(this.options.firstRunTraining ?? defaultFirstRunTraining)(this.options.modelsDir) },
      startTraining: (request) => this.startTraining(request),
      note: (kind, text) => this.push({ kind, text }),
    }).finally(() => {
      this.starting = false;
      this.queue.drain();
    });
  }

  /** A line from the app itself (e.g. which backend runs). */
  notice(text: string): void {
    this.push({ kind: 'info', text });
  }

  getView = (): ChatView => this.view;

  subscribe = (listener: () => void): (() => void) => this.notifier.subscribe(listener);

  async submit(raw: string): Promise<void> {
    const line = raw.replace(/\r\n?/g, '\n').replace(/\n+$/, '');
    if (line.trim() === '') return;
    this.history.add(line);
    if (line.trim().startsWith('/')) return this.runCommand(line.trim());
    return this.prompt(line);
  }

  async complete(line: string): Promise<string[]> {
    try {
      return await this.deps.completeInput(line, this.context(silentOutput(), undefined));
    } catch {
      return [];
    }
  }

  interrupt(): boolean {
    const running = this.reply.abort() || this.commandAborts.size > 0;
    for (const abort of this.commandAborts) abort.abort();
    return running;
  }

  get settings(): ChatSettings {
    return this.store.settings;
  }

  setSetting<K extends keyof ChatSettings>(key: K, value: ChatSettings[K]): void {
    try {
      this.store.set(key, value);
    } catch (err) {
      throw new CommandError(firstLine(err));
    }
    this.drainWarnings();
    this.panels.settingsChanged();
    this.changed();
  }

  showPanel(request: PanelRequest): void {
    this.panels.open(request);
  }

  get model(): { name: string; manifest: Manifest } | null {
    return this.loaded ? { name: this.loaded.name, manifest: this.loaded.manifest } : null;
  }

  get systemPrompt(): string | null {
    return this.loaded ? this.store.systemPrompt(this.loaded.name) : null;
  }

  setSystemPrompt(text: string | null): void {
    if (!this.loaded) throw new CommandError('No model loaded: /use NAME first; the system prompt is kept per model.');
    this.store.setSystemPrompt(this.loaded.name, text);
    this.changed();
  }

  use = async (name: string): Promise<void> => void (await this.useLatest(name));

  /** Loads `name` and switches to it; false (and nothing changes) when a later load overtook it. */
  private async useLatest(name: string): Promise<boolean> {
    const wanted = name.trim();
    if (wanted === '') throw new CommandError('Give a model name: /models lists them.');
    const ticket = ++this.useTicket;
    let next: LoadedModel;
    try {
      next = await this.deps.loadModel(wanted);
    } catch (err) {
      if (ticket !== this.useTicket) return false;
      throw new CommandError(await explainLoadFailure(wanted, err, this.tracker, this.deps.listModels));
    }
    if (ticket !== this.useTicket) return (next.dispose(), false);
    // A reply still streaming uses the old model's tensors: stop it before they go.
    await this.reply.stop();
    await this.panels.closed(); // a stepper holds the old model's state
    const previous = this.loaded;
    this.loaded = next;
    this.store.lastModel = next.name;
    if (previous && previous !== next) previous.dispose();
    // An instruct model answers the conversation: context goes on (once), and the user is told how it works.
    const turnedOn = instructOf(next.tokenizer) !== null && !this.settings.context;
    if (turnedOn) this.setSetting('context', true);
    if (instructOf(next.tokenizer)) this.push({ kind: 'info', text: chatModeNote(next.name, turnedOn, this.systemPrompt) });
    this.drainWarnings();
    this.changed();
    this.queue.drain();
    return true;
  }

  get training(): TrainingStatus | null {
    return this.tracker?.status ?? null;
  }

  startTraining(request: TrainingRequest): void {
    this.tracker = TrainingTracker.launch(this.tracker, request, {
      line: (kind, text) => this.push({ kind, text }),
      changed: () => this.changed(),
      checkpoint: (name, step) => !this.loaded && openCheckpoint(name, step, (n) => this.use(n), (kind, text) => this.push({ kind, text })),
      modelInUse: () => this.loaded?.name ?? null,
    }, this.deps.startTraining);
    this.changed();
  }

  stopTraining(): boolean {
    return this.tracker?.stop() ?? false;
  }

  get download() {
    return this.downloads.status;
  }

  startDownload = (request: DownloadRequest): void => this.downloads.start(request);
  stopDownload = (): boolean => this.downloads.stop();

  async generateWith(name: string, prompt: string, options: SampleOptions, onText: (delta: string) => void, onStart?: (how: { chat: boolean }) => void): Promise<GenerationResult> {
    return generateWithModel(name, prompt, options, onText, {
      own: this.loaded?.name === name ? this.loaded : null,
      deps: this.deps,
      aborts: this.commandAborts,
      systemPrompt: (model) => this.store.systemPrompt(model),
      explain: (err) => explainLoadFailure(name, err, this.tracker, this.deps.listModels),
    }, onStart);
  }

  clearTranscript(): void {
    this.log.clear();
    this.changed();
  }

  transcriptMarkdown(): string {
    return transcriptToMarkdown(this.log.turns);
  }

  quit(): void {
    this.quitting = true;
    this.changed();
  }

  /** After the UI is gone: stop generation and a pull (it resumes later), let a running training save and stop, free the model. */
  async shutdown(timeoutMs = 20_000): Promise<void> {
    this.interrupt();
    await this.downloads.shutdown();
    await this.reply.stop();
    await this.panels.closed();
    await this.tracker?.stopAndWait(timeoutMs);
    this.loaded?.dispose();
    this.loaded = null;
  }

  private async prompt(text: string): Promise<void> {
    const loaded = this.loaded;
    // Busy, or a model is on its way (opening, or a run's first checkpoint): the prompt waits its turn.
    if (this.reply.busy || this.starting || (!loaded && this.tracker?.isRunning)) return this.queue.add(text);
    if (!loaded) return this.push({ kind: 'error', text: NO_MODEL });
    // Classification mode (a classifier in use): the input gets labelled probability bars.
    if (loaded.manifest.task === 'classify') {
      this.push({ kind: 'user', text });
      return this.push(await classifyTurn(this.deps.classify, loaded, text));
    }
    const generate = answerWith(loaded, this.deps.generate, conversationOf(this.log.turns, text, this.settings.context, this.systemPrompt), (t) => this.push(t));
    const input = this.settings.context
      ? buildContextPrompt(this.log.turns, text, loaded.model.contextLength, (t) => loaded.tokenizer.encode(t).ids.length)
      : text;
    this.push({ kind: 'user', text });
    const turns = await this.reply.run(generate, loaded, input, sampleOptionsFrom(this.settings), this.settings.probs);
    for (const turn of turns) this.push(turn);
    this.queue.drain();
  }

  private async runCommand(line: string): Promise<void> {
    await runCommandLine(line, {
      push: (turn) => this.push(turn),
      setLive: (live) => {
        this.commandLive = live;
        this.changed();
      },
      changed: () => this.changed(),
      aborts: this.commandAborts,
      run: (out, signal) => this.deps.runCommandLine(line, this.context(out, signal)),
    });
  }

  private context(out: Output, signal: AbortSignal | undefined): CommandContext {
    return { modelsDir: this.options.modelsDir, backend: this.options.backend, out, chat: this, signal };
  }

  /** Problems the settings store met (e.g. a read-only config folder), as transcript lines. */
  private drainWarnings(): void {
    for (const warning of [...this.store.warnings.splice(0), ...this.history.warnings.splice(0)]) this.push({ kind: 'info', text: warning });
  }

  private push(turn: NewTurn): void {
    this.log.push(turn);
    this.changed();
  }

  private changed(): void {
    this.view = this.buildView();
    this.notifier.notify();
  }

  private buildView(): ChatView {
    const { log, reply, commandLive, loaded, options, settings, tracker, downloads, quitting, queue, panels } = this;
    return viewOf({ log, reply, commandLive, loaded, backend: options.backendLabel, settings, tracker, downloads, quitting, queue, panels });
  }
}
