// STUB: signatures fixed; implementation in progress.
import type { GenerationResult, SampleOptions } from './types.js';
import type { LoadedModel } from './checkpoint.js';

/** Stream a continuation of `prompt`; onText gets each new piece of text as it is decoded. */
export async function generate(
  loaded: LoadedModel,
  prompt: string,
  options: SampleOptions,
  onText: (delta: string) => void,
  signal?: AbortSignal,
): Promise<GenerationResult> {
  throw new Error(`not implemented: generate ${loaded.name} ${prompt} ${JSON.stringify(options)} ${typeof onText} ${signal}`);
}
