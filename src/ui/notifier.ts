// Change notification with a frame cap: a reply streams hundreds of tokens a second, and a render of
// the Ink tree per token would take main-thread time from the sampler for frames nobody sees.
export const DEFAULT_FRAME_MS = 33;

export class ThrottledNotifier {
  private readonly listeners = new Set<() => void>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private last = -Infinity;

  /** `intervalMs` 0 notifies on every change (tests). */
  constructor(private readonly intervalMs = DEFAULT_FRAME_MS) {}

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Notify now if the last notification is a frame old, else once at the end of the frame. */
  notify(): void {
    if (this.timer) return;
    const wait = this.last + this.intervalMs - Date.now();
    if (wait <= 0) return this.fire();
    this.timer = setTimeout(() => {
      this.timer = null;
      this.fire();
    }, wait);
  }

  private fire(): void {
    this.last = Date.now();
    for (const listener of this.listeners) listener();
  }
}
