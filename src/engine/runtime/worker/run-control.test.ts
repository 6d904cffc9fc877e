// A reply holding the gate pauses a training loop between steps; the loop goes on when the reply ends.
import { describe, expect, it } from 'vitest';
import { useTestBackend, writeCorpus } from '#test/support/models.js';
import { useTempDir } from '#test/support/temp.js';
import { runTraining } from '../../training/train.js';
import type { TrainEvent } from '../../types.js';
import { ReplyGate, withReplyPriority } from './run-control.js';

const tempDir = useTempDir();

/** Wait for a state to be reached (not for a time): event-loop turns until `done()`, failing rather than hanging. */
async function until(done: () => boolean, turns = 6000): Promise<void> {
  for (let i = 0; !done(); i++) {
    if (i === turns) throw new Error('the state was never reached');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function tinyRun(gate: ReplyGate, onEvent: (event: TrainEvent) => void, stop: () => boolean = () => false) {
  const dir = tempDir();
  return runTraining(
    { kind: 'train', name: 'paused', modelsDir: dir, corpus: writeCorpus(dir), arch: 'gpt', tokenizer: 'char', preset: 'tiny', steps: 6, seed: 1, overrides: { evalInterval: 100, evalBatches: 1 } },
    onEvent,
    stop,
    'wasm',
    { beforeStep: () => gate.waitForReplies(stop) },
  );
}

describe('reply priority over training', () => {
  it('pauses the loop between steps while a reply streams, and resumes when it ends', async () => {
    await useTestBackend();
    const gate = new ReplyGate();
    let steps = 0;
    let endReply: (() => void) | null = null;
    const run = tinyRun(gate, (event) => {
      if (event.type !== 'progress') return;
      steps = event.step;
      if (event.step === 2) endReply = gate.begin();
    });
    await until(() => gate.paused === 1);
    expect(steps).toBe(2);
    // Still held: many more turns of the event loop, and no step.
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(steps).toBe(2);
    expect(gate.paused).toBe(1);
    endReply!();
    const result = await run;
    expect(result.step).toBe(6);
    expect(steps).toBe(6);
    expect(gate.paused).toBe(0);
  });

  it('a stop asked for while paused ends the run without waiting for the reply', async () => {
    await useTestBackend();
    const gate = new ReplyGate();
    const endReply = gate.begin();
    let stop = false;
    let steps = 0;
    const run = tinyRun(gate, (event) => void (event.type === 'progress' && (steps = event.step)), () => stop);
    await until(() => gate.paused === 1);
    stop = true;
    const result = await run;
    expect(result.stoppedBy).toBe('stop');
    expect(steps).toBe(0);
    endReply();
  });

  it('withReplyPriority holds the gate while generate runs, and lets go when it throws', async () => {
    const gate = new ReplyGate();
    const seen: boolean[] = [];
    const ok = withReplyPriority(async (x: number) => (seen.push(gate.replying), x * 2), gate);
    expect(await ok(2)).toBe(4);
    const failing = withReplyPriority(async () => {
      seen.push(gate.replying);
      throw new Error('boom');
    }, gate);
    await expect(failing()).rejects.toThrow('boom');
    expect(seen).toEqual([true, true]);
    expect(gate.replying).toBe(false);
  });
});
