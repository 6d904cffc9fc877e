// With `/context on`, earlier turns are prepended to the prompt, newest first, as long as they fit.
import { RECURRENT_CONTEXT_TOKENS } from '../commands/context.js';
import type { Turn } from './types.js';

/**
 * The text to feed the model: the earlier user/reply turns that fit in `window` tokens (whole turns,
 * oldest dropped first) followed by `prompt`. Replies continue their prompt, so the pieces are joined
 * as one running text with a newline between exchanges.
 */
export function buildContextPrompt(
  turns: readonly Turn[],
  prompt: string,
  window: number | null,
  countTokens: (text: string) => number,
): string {
  const budget = (window ?? RECURRENT_CONTEXT_TOKENS) - countTokens(prompt);
  const exchanges = pairUp(turns);
  const kept: string[] = [];
  let used = 0;
  for (let i = exchanges.length - 1; i >= 0; i--) {
    const piece = exchanges[i]! + '\n';
    const cost = countTokens(piece);
    if (used + cost > budget) break;
    kept.unshift(piece);
    used += cost;
  }
  return kept.join('') + prompt;
}

/** Each user prompt with the reply that continued it (a prompt whose reply failed stands alone). */
function pairUp(turns: readonly Turn[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < turns.length; i++) {
    const t = turns[i]!;
    if (t.kind !== 'user') continue;
    const next = turns[i + 1];
    out.push(next?.kind === 'reply' ? t.text + next.text : t.text);
  }
  return out;
}
