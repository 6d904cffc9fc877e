// The conversation's finished turns: ids in order, and an epoch that changes when the log is cleared
// (so the Ink <Static> list starts over instead of keeping what it already printed).
import type { NewTurn, Turn } from './types.js';

export class TurnLog {
  private list: Turn[] = [];
  private nextId = 1;
  private clears = 0;

  /** A new array on every change, so a view holding the old one stays as it was. */
  get turns(): Turn[] {
    return this.list;
  }

  get epoch(): number {
    return this.clears;
  }

  push(turn: NewTurn): void {
    this.list = [...this.list, { ...turn, id: this.nextId++ } as Turn];
  }

  clear(): void {
    this.list = [];
    this.clears++;
  }
}
