import { describe, expect, it } from 'vitest';
import { fakeLoaded } from '#test/support/ui.js';
import { longPromptNote } from './reply.js';

describe('a prompt longer than the model can see', () => {
  it("is explained in the model's units, with what to do about it", () => {
    const note = longPromptNote(fakeLoaded('gutenberg-gpt', 64), 1936);
    expect(note).toBe(
      'The prompt is longer than gutenberg-gpt can see: it continued from its last 64 chars and left out the first 1,936 chars. ' +
        'To have it continue a passage, paste just the end of it; /models lists models with longer windows.',
    );
    expect(note).not.toMatch(/tokens before it/);
  });
});
