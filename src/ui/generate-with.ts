// A reply from a named model without switching to it (/compare): the model in use, or one loaded for the call.
// An instruct model answers the prompt as one user message through its template, under its /system prompt.
import { CommandError } from '../commands/types.js';
import type { LoadedModel } from '../engine/store/checkpoint.js';
import type { GenerationResult, SampleOptions } from '../engine/types.js';
import type { SessionDeps } from './engine-deps.js';
import { answerWith } from './instruct-turns.js';
import { instructOf, withSystem } from '../engine/chat/instruct.js';

export interface GenerateWithHost {
  /** The model in use when it is the one named. */
  own: LoadedModel | null;
  deps: SessionDeps;
  /** Aborted by Esc/Ctrl-C while the reply streams. */
  aborts: Set<AbortController>;
  systemPrompt(model: string): string | null;
  /** The one-line reason a model could not be loaded. */
  explain(err: unknown): Promise<string>;
}

export async function generateWithModel(
  name: string,
  prompt: string,
  options: SampleOptions,
  onText: (delta: string) => void,
  host: GenerateWithHost,
  onStart?: (how: { chat: boolean }) => void,
): Promise<GenerationResult> {
  let loaded: LoadedModel;
  try {
    loaded = host.own ?? (await host.deps.loadModel(name));
  } catch (err) {
    throw new CommandError(await host.explain(err));
  }
  onStart?.({ chat: instructOf(loaded.tokenizer) !== null });
  const abort = new AbortController();
  host.aborts.add(abort);
  try {
    const messages = withSystem(host.systemPrompt(name), [{ role: 'user', content: prompt }]);
    const generate = answerWith(loaded, host.deps.generate, messages, () => {});
    return await generate(loaded, prompt, options, onText, abort.signal);
  } finally {
    host.aborts.delete(abort);
    if (!host.own) loaded.dispose();
  }
}
