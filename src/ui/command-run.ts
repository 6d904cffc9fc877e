// A slash command run from the chat: its output becomes transcript turns (a live line while it streams), any
// error one line, and Esc/Ctrl-C reach it through an abort registered for its duration.
import type { Output } from '../commands/types.js';
import { firstLine } from '../engine/first-line.js';
import { TranscriptOutput } from './transcript-output.js';
import type { LiveText, NewTurn } from './types.js';

export interface CommandHost {
  push(turn: NewTurn): void;
  setLive(live: LiveText | null): void;
  changed(): void;
  /** Aborted by interrupt() while the command runs. */
  aborts: Set<AbortController>;
  run(out: Output, signal: AbortSignal): Promise<void>;
}

export async function runCommandLine(line: string, host: CommandHost): Promise<void> {
  host.push({ kind: 'command', text: line });
  const out = new TranscriptOutput(line.split(/\s+/)[0]!, { push: (turn) => host.push(turn), live: (live) => host.setLive(live) });
  const abort = new AbortController();
  host.aborts.add(abort);
  try {
    await host.run(out, abort.signal);
  } catch (err) {
    out.flush();
    host.push({ kind: 'error', text: firstLine(err) });
  } finally {
    out.flush();
    host.aborts.delete(abort);
    host.changed();
  }
}
