// Prompts sent while the model is busy (a reply streaming, a model opening): kept in order, shown as
// queued, and sent one at a time when the chat is free. Text typed at the wrong moment is never lost.
export class PromptQueue {
  private items: readonly string[] = [];

  constructor(
    private readonly ready: () => boolean,
    private readonly send: (text: string) => void,
    private readonly changed: () => void,
  ) {}

  /** Oldest first; a new array on every change. */
  get list(): readonly string[] {
    return this.items;
  }

  add(text: string): void {
    this.items = [...this.items, text];
    this.changed();
  }

  /** Send the next prompt if the chat is free. A turn later, so a /use waiting for the reply to stop switches first. */
  drain(): void {
    setImmediate(() => {
      if (this.items.length === 0 || !this.ready()) return;
      const [next, ...rest] = this.items;
      this.items = rest;
      this.send(next!);
    });
  }
}
