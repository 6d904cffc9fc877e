// Replies take priority over a background training run (issue: a reply slowed 10-50x while a model
// trained). While a reply streams, the chat holds the reply gate open; a training loop checks it between
// steps and waits until no reply streams, then goes on. The gate is a counter in a SharedArrayBuffer, so
// the worker reads it without an event-loop turn and sleeps on it (Atomics.waitAsync) instead of polling.
// Measured in bench/RESULTS.md ("Replies during training").

const REPLIES = 0;
/** How many loops are paused at the gate right now: lets tests and the bench see a pause as a state. */
const PAUSED = 1;
/** Longest sleep before looking at the stop flag again (a stop sets its own flag, which cannot wake us). */
const RECHECK_MS = 250;

// In Node since 16; typed from ES2024, newer than this project's lib setting.
type WaitAsync = (cells: Int32Array, index: number, value: number, timeoutMs: number) => { async: boolean; value: Promise<string> | string };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

export class ReplyGate {
  private readonly cells: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(8)) {
    this.cells = new Int32Array(buffer);
  }

  /** A reply starts streaming; call the returned function (once) when it ends. */
  begin(): () => void {
    Atomics.add(this.cells, REPLIES, 1);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      Atomics.sub(this.cells, REPLIES, 1);
      Atomics.notify(this.cells, REPLIES);
    };
  }

  get replying(): boolean {
    return Atomics.load(this.cells, REPLIES) > 0;
  }

  /** Loops waiting at the gate now. */
  get paused(): number {
    return Atomics.load(this.cells, PAUSED);
  }

  /** The training side, between steps: resolves when no reply streams (or `stop()` turns true); true if it waited. */
  async waitForReplies(stop: () => boolean = () => false): Promise<boolean> {
    let waited = false;
    try {
      for (;;) {
        const replies = Atomics.load(this.cells, REPLIES);
        if (replies <= 0 || stop()) return waited;
        if (!waited) Atomics.add(this.cells, PAUSED, 1);
        waited = true;
        const result = waitAsync(this.cells, REPLIES, replies, RECHECK_MS);
        // A pending waitAsync does not keep a worker's event loop alive (the worker would exit mid-run):
        // a timer does, and doubles as the recheck for a stop.
        let timer: NodeJS.Timeout | undefined;
        if (result.async) await Promise.race([result.value, new Promise((resolve) => (timer = setTimeout(resolve, RECHECK_MS)))]);
        clearTimeout(timer);
      }
    } finally {
      if (waited) Atomics.sub(this.cells, PAUSED, 1);
    }
  }
}

/** This process's gate: replies generated here hold it, and every training worker started here waits at it. */
export const replyGate = new ReplyGate();

/** Wrap a generate function so that each call holds the reply gate while it streams. */
export function withReplyPriority<A extends unknown[], R>(generate: (...args: A) => Promise<R>, gate: ReplyGate = replyGate): (...args: A) => Promise<R> {
  return async (...args: A) => {
    const end = gate.begin();
    try {
      return await generate(...args);
    } finally {
      end();
    }
  };
}
