import { describe, expect, it } from 'vitest';
import { openFirstModel, type StartupSteps } from './startup.js';

function steps(models: string[], lastModel: string | null) {
  const notes: string[] = [];
  const used: string[] = [];
  const s: StartupSteps = {
    lastModel,
    baseModel: 'gutenberg-gpt',
    listModels: async () => models,
    use: async (name) => {
      if (!models.includes(name)) throw new Error(`model '${name}' not found`);
      used.push(name);
    },
    firstRun: { kind: 'train', name: 'starter', modelsDir: '/m', corpus: 'gutenberg', arch: 'gpt', tokenizer: 'char', command: '' },
    startTraining: () => notes.push('trained'),
    note: (_kind, text) => void notes.push(text),
  };
  return { s, notes, used };
}

describe('the model the chat opens on', () => {
  it('is the one asked for (inkling chat MODEL) before the last used one', async () => {
    const { s, used, notes } = steps(['gpl', 'gutenberg-lstm'], 'gpl');
    await openFirstModel({ ...s, requested: 'gutenberg-lstm' });
    expect(used).toEqual(['gutenberg-lstm']);
    expect(notes).toEqual(['Loaded gutenberg-lstm. Type a prompt, or /help.']);
  });

  it('falls back to the last used one, saying why, when the one asked for does not load', async () => {
    const { s, used, notes } = steps(['gpl'], 'gpl');
    await openFirstModel({ ...s, requested: 'gone' });
    expect(used).toEqual(['gpl']);
    expect(notes[0]).toBe("Could not open gone: model 'gone' not found");
  });

  it('is the last used one when it still loads', async () => {
    const { s, used } = steps(['aaa-tiny', 'gpl', 'gutenberg-gpt'], 'gpl');
    await openFirstModel(s);
    expect(used).toEqual(['gpl']);
  });

  it('falls back to the shipped base model, not the alphabetically first user model, and says so in one line', async () => {
    const { s, used, notes } = steps(['aaa-tiny', 'gutenberg-gpt', 'gutenberg-lstm'], 'gone');
    await openFirstModel(s);
    expect(used).toEqual(['gutenberg-gpt']);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/gone.*used last.*not found.*opened gutenberg-gpt, the shipped base model/);
  });

  it('opens the base model on a first start too', async () => {
    const { s, used } = steps(['aaa-tiny', 'gutenberg-gpt'], null);
    await openFirstModel(s);
    expect(used).toEqual(['gutenberg-gpt']);
  });

  it('takes another model when the base model is not there', async () => {
    const { s, used } = steps(['aaa-tiny'], 'gone');
    await openFirstModel(s);
    expect(used).toEqual(['aaa-tiny']);
  });
});
