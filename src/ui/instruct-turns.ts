// Chat mode (an instruct model in use): the transcript becomes the template's messages, and a reply goes through
// the model's own template instead of continuing the text.
import { type Instruct, instructOf, reply, withSystem } from '../engine/chat/instruct.js';
import type { ChatMessage } from '../engine/chat/template.js';
import type { LoadedModel } from '../engine/store/checkpoint.js';
import type { SessionDeps } from './engine-deps.js';
import type { NewTurn, Turn } from './types.js';

export { instructOf, type Instruct };

/** Earlier user/reply exchanges (with /context on) and the new message, as the template's messages. */
export function conversationOf(turns: readonly Turn[], text: string, withContext: boolean, system: string | null): ChatMessage[] {
  const earlier: ChatMessage[] = [];
  if (withContext) {
    turns.forEach((t, i) => {
      const next = turns[i + 1];
      if (t.kind === 'user' && next?.kind === 'reply' && next.text !== '') {
        earlier.push({ role: 'user', content: t.text }, { role: 'assistant', content: next.text });
      }
    });
  }
  return withSystem(system, [...earlier, { role: 'user', content: text }]);
}

/** The line /use prints when an instruct model opens. */
export function chatModeNote(name: string, contextTurnedOn: boolean, system: string | null): string {
  // The user's own text ends the line when there is one (no full stop after it: it may end in one).
  const about = system ? `system prompt: ${system}` : 'no system prompt (/system TEXT sets one).';
  return `Chat mode: ${name} answers through its chat template, seeing the conversation${contextTurnedOn ? ' (context is now on)' : ''}; ${about}`;
}

/** What answers a prompt: the template for an instruct model (with `messages`), else plain continuation. */
export function answerWith(loaded: LoadedModel, generate: SessionDeps['generate'], messages: ChatMessage[], push: (turn: NewTurn) => void): SessionDeps['generate'] {
  const instruct = instructOf(loaded.tokenizer);
  if (!instruct) return generate;
  return replyThroughTemplate(instruct, messages, (n) =>
    push({ kind: 'info', text: `The conversation is longer than ${loaded.name}'s window: its oldest ${n} messages were left out (whole turns).` }),
  );
}

/** A generate() for streamReply that answers `messages` through the template, saying when old turns were left out. */
export function replyThroughTemplate(instruct: Instruct, messages: ChatMessage[], onDropped: (count: number) => void): SessionDeps['generate'] {
  return async (loaded: LoadedModel, _prompt, options, onText, signal) => {
    const result = await reply(loaded, instruct, messages, options, onText, signal);
    if (result.droppedMessages > 0) onDropped(result.droppedMessages);
    return result;
  };
}
