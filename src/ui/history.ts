// The input history: persisted across runs in the config folder, capped, walked with Up/Down.
// It is separate from the conversation and never sent to a model.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { HistoryNavigator } from './types.js';
import { firstLine } from '../engine/first-line.js';

export const HISTORY_FILE = 'history.json';
export const HISTORY_LIMIT = 500;

export class InputHistory implements HistoryNavigator {
  /** One line per problem met loading the file (a corrupted file is backed up and reset). */
  readonly warnings: string[] = [];
  private entries: string[];
  /** Walk position: entries.length means "at the draft" (not walking). */
  private cursor: number;
  private draft = '';

  /** `file` null keeps the history in memory only. */
  constructor(
    private readonly file: string | null,
    private readonly limit = HISTORY_LIMIT,
  ) {
    this.entries = file ? readEntries(file, this.warnings).slice(-limit) : [];
    this.cursor = this.entries.length;
  }

  static inFolder(dir: string, limit = HISTORY_LIMIT): InputHistory {
    return new InputHistory(path.join(dir, HISTORY_FILE), limit);
  }

  list(): readonly string[] {
    return this.entries;
  }

  /** Record a submitted line (a repeat of the newest entry is not stored twice) and save. */
  add(line: string): void {
    this.reset();
    if (line.trim() === '' || this.entries[this.entries.length - 1] === line) return;
    this.entries.push(line);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    this.cursor = this.entries.length;
    this.save();
  }

  up(draft: string): string | undefined {
    if (this.cursor === 0) return undefined;
    if (this.cursor === this.entries.length) this.draft = draft;
    this.cursor--;
    return this.entries[this.cursor];
  }

  down(): string | undefined {
    if (this.cursor >= this.entries.length) return undefined;
    this.cursor++;
    return this.cursor === this.entries.length ? this.draft : this.entries[this.cursor];
  }

  reset(): void {
    this.cursor = this.entries.length;
    this.draft = '';
  }

  private save(): void {
    if (!this.file) return;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      // Write then rename, so a crash never leaves half a file.
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(this.entries, null, 0) + '\n');
      renameSync(tmp, this.file);
    } catch {
      // History is a convenience: a read-only config folder must not break the chat.
    }
  }
}

function readEntries(file: string, warnings: string[]): string[] {
  if (!existsSync(file)) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    backUp(file, `not valid JSON`, warnings, err);
    return [];
  }
  if (!Array.isArray(parsed)) {
    backUp(file, 'not a list of lines', warnings);
    return [];
  }
  return parsed.filter((e): e is string => typeof e === 'string');
}

/** Keep the unreadable file for the user to inspect, and start a fresh history. */
function backUp(file: string, why: string, warnings: string[], err?: unknown): void {
  const backup = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  try {
    renameSync(file, backup);
    warnings.push(`The input history file was unreadable (${why}): saved it as ${path.basename(backup)} and reset the history.`);
  } catch {
    const reason = err instanceof Error ? `: ${firstLine(err, '')}` : '';
    warnings.push(`The input history file was unreadable (${why}${reason}) and could not be moved aside: starting without history.`);
  }
}
