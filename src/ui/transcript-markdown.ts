// The transcript as Markdown, for /save.
import type { Turn } from './types.js';

export function transcriptToMarkdown(turns: readonly Turn[], title = 'Inkling conversation'): string {
  const parts: string[] = [`# ${title}`, ''];
  for (const turn of turns) {
    switch (turn.kind) {
      case 'user':
        parts.push('**You:**', '', fence(turn.text), '');
        break;
      case 'reply': {
        const note = `${turn.tokensPerSec.toFixed(1)} tokens/s${turn.stopped ? ', stopped' : ''}`;
        parts.push(`**${turn.model}** (${note}):`, '', fence(turn.text), '');
        break;
      }
      case 'command':
        parts.push(`\`${turn.text}\``, '');
        break;
      case 'output':
        parts.push(fence(turn.text), '');
        break;
      case 'error':
        parts.push(`> **Error:** ${turn.text}`, '');
        break;
      case 'info':
        parts.push(`> ${turn.text}`, '');
        break;
    }
  }
  return parts.join('\n');
}

/** Model text is raw (spacing, odd characters): a fence long enough never to close early keeps it verbatim. */
function fence(text: string): string {
  const longest = Math.max(2, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}text\n${text}\n${ticks}`;
}
