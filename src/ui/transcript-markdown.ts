// The transcript as Markdown, for /save.
import type { TokenProbs } from '../engine/types.js';
import { fence } from '../commands/format.js';
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
        parts.push(`**${turn.model}** (${turn.stepped ? 'stepped by hand' : note}):`, '', fence(turn.text), '');
        if (turn.tokens && turn.tokens.length > 0) parts.push(probabilityTable(turn.tokens), '');
        break;
      }
      case 'command':
        parts.push(`\`${turn.text}\``, '');
        break;
      case 'output':
        parts.push(turn.saveAs ?? fence(turn.text), '');
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


/** Each token with the sampler's and the model's probability and its alternatives, folded away under the reply. */
function probabilityTable(tokens: readonly TokenProbs[]): string {
  const pct = (p: number) => `${(p * 100).toFixed(1)}%`;
  const rows = tokens.map((t, i) => {
    const others = t.candidates.filter((c) => c.id !== t.chosen.id).map((c) => `${cell(c.label)} ${pct(Math.exp(c.logprob))}`);
    return `| ${i + 1} | ${cell(t.chosen.label)} | ${pct(t.chosen.sampled)} | ${pct(Math.exp(t.chosen.logprob))} | ${others.join(', ')} |`;
  });
  return [
    '<details><summary>Token probabilities</summary>',
    '',
    '| # | token | p (as sampled) | p (model) | alternatives (model) |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    '</details>',
  ].join('\n');
}

/** A token inside a table cell: code span (so spaces show), with pipes, backticks and line breaks escaped. */
function cell(label: string): string {
  const shown = label.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/\|/g, '\\|');
  return shown.includes('`') ? `\`\` ${shown} \`\`` : `\`${shown}\``;
}
