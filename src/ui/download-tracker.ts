// Follows one background pull or import: the latest progress for the panel, and the one line worth keeping in
// the transcript at its end (the result, a stop, or the error).
import { CommandError, type DownloadRequest, type DownloadStatus } from '../commands/types.js';
import { downloadSource } from '../commands/hf-download.js';
import { firstLine } from '../engine/first-line.js';
import type { PullProgress } from '../engine/store/hf-pull.js';
import type { SessionDeps } from './engine-deps.js';
import type { DownloadView } from './types.js';

export interface DownloadSink {
  line(kind: 'info' | 'error', text: string): void;
  changed(): void;
}

export class DownloadTracker {
  private readonly abort = new AbortController();
  private running = true;
  private progress: PullProgress | null = null;
  private cachedView: DownloadView | null = null;
  /** Settles when the download has ended, however it ended (never rejects). */
  readonly done: Promise<void>;

  private constructor(
    readonly request: DownloadRequest,
    private readonly sink: DownloadSink,
    run: SessionDeps['runDownload'],
    modelsDir: string,
  ) {
    const onProgress = (p: PullProgress) => {
      this.progress = p;
      this.cachedView = null;
      sink.changed();
    };
    this.done = run(request, { modelsDir, chat: true, signal: this.abort.signal, onProgress }).then(
      (line) => this.end('info', line),
      (error) => this.end(...this.failure(error)),
    );
  }

  static launch(request: DownloadRequest, sink: DownloadSink, run: SessionDeps['runDownload'], modelsDir: string): DownloadTracker {
    return new DownloadTracker(request, sink, run, modelsDir);
  }

  get isRunning(): boolean {
    return this.running;
  }

  get status(): DownloadStatus {
    return { request: this.request, stoppable: this.request.kind === 'pull' };
  }

  get view(): DownloadView | null {
    if (!this.running) return null;
    const r = this.request;
    this.cachedView ??= {
      title: r.kind === 'pull' ? `pulling ${r.repo}${r.name ? ` as ${r.name}` : ''}` : `importing ${r.dir}${r.name ? ` as ${r.name}` : ''}`,
      progress: this.progress,
      stopping: this.abort.signal.aborted,
    };
    return this.cachedView;
  }

  /** Stop a pull between chunks: what arrived stays in the partial folder for the next /pull. */
  stop(): boolean {
    if (!this.running || this.request.kind !== 'pull' || this.abort.signal.aborted) return false;
    this.abort.abort();
    this.cachedView = null;
    this.sink.changed();
    return true;
  }

  private failure(error: unknown): ['info' | 'error', string] {
    const source = downloadSource(this.request);
    if (this.abort.signal.aborted) return ['info', `stopped pulling ${source}: /pull ${source} again resumes where it stopped`];
    return ['error', firstLine(error)];
  }

  private end(kind: 'info' | 'error', text: string): void {
    this.running = false;
    this.cachedView = null;
    this.sink.line(kind, text);
    this.sink.changed();
  }
}

/** The chat's one download slot: a second pull waits for the first (they would share the bandwidth anyway). */
export class Downloads {
  private current: DownloadTracker | null = null;

  constructor(
    private readonly sink: DownloadSink,
    private readonly run: SessionDeps['runDownload'],
    private readonly modelsDir: string,
  ) {}

  get status(): DownloadStatus | null {
    return this.current?.isRunning ? this.current.status : null;
  }

  get view(): DownloadView | null {
    return this.current?.view ?? null;
  }

  start(request: DownloadRequest): void {
    if (this.current?.isRunning) throw new CommandError(`${this.current.request.kind === 'pull' ? 'a pull' : 'an import'} is still running: one at a time${this.current.request.kind === 'pull' ? ' (/stop cancels it)' : ''}`);
    this.current = DownloadTracker.launch(request, this.sink, this.run, this.modelsDir);
    this.sink.changed();
  }

  stop(): boolean {
    return this.current?.stop() ?? false;
  }

  /** Quitting: a pull stops (its partial folder resumes next time); an import finishes. */
  async shutdown(): Promise<void> {
    this.current?.stop();
    await this.current?.done;
  }
}
