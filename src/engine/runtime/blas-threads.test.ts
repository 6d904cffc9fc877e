import { describe, expect, it } from 'vitest';
import { ThreadTuner } from './blas-threads.js';

/** Runs `steps` steps whose duration depends on the thread count in force; returns the counts applied per step. */
function drive(tuner: ThreadTuner, current: () => number, msFor: (threads: number) => number, steps: number): number[] {
  const used: number[] = [];
  for (let i = 0; i < steps; i++) {
    used.push(current());
    tuner.recordStep(msFor(current()));
  }
  return used;
}

function makeTuner() {
  let threads = 0;
  const tuner = new ThreadTuner([1, 2], (t) => {
    threads = t;
  });
  return { tuner, current: () => threads };
}

describe('BLAS thread tuner', () => {
  it('keeps two threads when they make steps clearly faster', () => {
    const { tuner, current } = makeTuner();
    const used = drive(tuner, current, (t) => (t === 2 ? 60 : 100), 40);
    expect(new Set(used.slice(0, 15))).toEqual(new Set([1, 2])); // it tried both
    expect(tuner.threads).toBe(2);
    expect(used.slice(-10)).toEqual(Array(10).fill(2));
    expect(tuner.lastTrial).toEqual({ threads: 2, msPerStep: { 1: 100, 2: 60 } });
  });

  it('stays on one thread when a second one does not pay by the margin', () => {
    const { tuner, current } = makeTuner();
    const used = drive(tuner, current, (t) => (t === 2 ? 98 : 100), 40);
    expect(tuner.threads).toBe(1);
    expect(used.slice(-10)).toEqual(Array(10).fill(1));
  });

  it('measures again later, so a machine that gets busy goes back to one thread', () => {
    const { tuner, current } = makeTuner();
    drive(tuner, current, (t) => (t === 2 ? 60 : 100), 40);
    expect(tuner.threads).toBe(2);
    drive(tuner, current, (t) => (t === 2 ? 150 : 100), 400);
    expect(tuner.threads).toBe(1);
  });

  it('ignores the steps right after an evaluation and redoes a trial it cut into', () => {
    const { tuner, current } = makeTuner();
    drive(tuner, current, () => 100, 5); // 3 warm-up steps, then 2 trial steps
    tuner.interrupted();
    // The slow steps right after the interruption must not count against anyone.
    drive(tuner, current, () => 1000, 3);
    drive(tuner, current, (t) => (t === 2 ? 60 : 100), 30);
    expect(tuner.threads).toBe(2);
    expect(tuner.lastTrial?.msPerStep).toEqual({ 1: 100, 2: 60 });
  });
});
