// A command's Output in the chat: lines and errors become transcript turns; streamed text shows live
// and becomes one turn when the command moves on.
import type { Output } from '../commands/types.js';
import type { LiveText, NewTurn } from './types.js';

export interface TranscriptSink {
  push(turn: NewTurn): void;
  live(live: LiveText | null): void;
}

export class TranscriptOutput implements Output {
  private stream = '';

  constructor(
    private readonly label: string,
    private readonly sink: TranscriptSink,
  ) {}

  line(text: string, saveAs?: string): void {
    this.flush();
    this.sink.push({ kind: 'output', text, ...(saveAs === undefined ? {} : { saveAs }) });
  }

  show(text: string): void {
    this.flush();
    this.sink.live(text === '' ? null : { label: this.label, text });
  }

  write(text: string): void {
    this.stream += text;
    this.sink.live({ label: this.label, text: this.stream });
  }

  error(text: string): void {
    this.flush();
    this.sink.push({ kind: 'error', text });
  }

  /** Turn streamed text into a finished turn. */
  flush(): void {
    if (this.stream === '') return;
    const text = this.stream;
    this.stream = '';
    this.sink.live(null);
    this.sink.push({ kind: 'output', text });
  }
}

export function silentOutput(): Output {
  return { line: () => {}, write: () => {}, error: () => {} };
}
