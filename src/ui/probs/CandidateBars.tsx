// The top next-token candidates as bars: the model's own probability (temperature 1) beside the
// sampler's (after temperature, top-k, top-p). Tokens the settings cut are greyed out.
import { Box, Text } from 'ink';
import type { NextTokenProbs, SampleOptions } from '../../engine/types.js';
import { percent, visibleLabel } from './style.js';

const LABEL = 10;
const PCT = 6;
const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

export function bar(p: number, width: number): string {
  const eighths = Math.round(Math.max(0, Math.min(1, p)) * width * 8);
  return ('█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8]).padEnd(width);
}

function fit(label: string): string {
  const shown = visibleLabel(label);
  return (shown.length > LABEL ? shown.slice(0, LABEL - 1) + '…' : shown).padEnd(LABEL);
}

export function settingsLabel(s: SampleOptions): string {
  if (s.temperature <= 0) return 'greedy (T 0)';
  const parts = [`T ${s.temperature}`];
  if (s.topK > 0) parts.push(`top-k ${s.topK}`);
  if (s.topP < 1) parts.push(`top-p ${s.topP}`);
  return parts.join(' · ');
}

const bits = (nats: number) => (nats / Math.LN2).toFixed(2);

export interface CandidateBarsProps {
  probs: NextTokenProbs;
  /** The settings the right column follows; null: as they were when sampled (a finished reply). */
  settings: SampleOptions | null;
  width: number;
  /** Row with the selection marker (/step). */
  highlighted?: number;
  /** The token that was picked (/inspect). */
  chosenId?: number;
}

export function CandidateBars({ probs, settings, width, highlighted, chosenId }: CandidateBarsProps) {
  const barWidth = Math.max(3, Math.min(30, Math.floor((width - 2 - LABEL - 1 - PCT - 3 - PCT) / 2)));
  return (
    <Box flexDirection="column">
      <Text dimColor>
        {`${'token'.padEnd(LABEL + 2)}${'model (T 1)'.padEnd(barWidth + PCT)} │ ${settings ? settingsLabel(settings) : 'as sampled'}`}
      </Text>
      {probs.candidates.map((c, i) => {
        const cut = c.sampled === 0;
        const marker = i === highlighted ? '▸ ' : c.id === chosenId ? '✓ ' : '  ';
        const row = `${marker}${fit(c.label)} ${bar(Math.exp(c.logprob), barWidth)}${percent(Math.exp(c.logprob)).padStart(PCT)} │ `;
        return (
          <Text key={c.id} wrap="truncate" inverse={i === highlighted} dimColor={cut && i !== highlighted}>
            {row}
            {cut ? <Text color="gray">{'cut'.padEnd(barWidth + PCT)}</Text> : <Text color="green">{bar(c.sampled, barWidth)}</Text>}
            {cut ? '' : percent(c.sampled).padStart(PCT)}
          </Text>
        );
      })}
      <Text dimColor>
        {`entropy ${bits(probs.entropy)} bits → ${bits(probs.sampledEntropy)} as sampled · ${probs.kept} token${probs.kept === 1 ? '' : 's'} can be drawn`}
      </Text>
    </Box>
  );
}
