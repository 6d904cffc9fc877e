// The background run: what runs (a fresh run or a fine-tune of which model), progress, losses, ETA,
// speed, and the loss chart, all sized to the terminal's width.
import { Box, Text } from 'ink';
import stringWidth from 'string-width';
import { formatCount, formatDuration, formatLoss } from '../commands/format.js';
import { fitFields, type Field } from './fit-fields.js';
import { LossChart } from './LossChart.js';
import type { TrainingView } from './types.js';

const BAR_WIDTH = 24;
/** A bar narrower than this says nothing the step count does not. */
const MIN_BAR = 6;
/** Round border and one column of padding on each side. */
export const PANEL_FRAME = 4;

export function progressBar(step: number, total: number, width = BAR_WIDTH): string {
  const done = Math.max(0, Math.min(width, Math.round((step / Math.max(1, total)) * width)));
  return '█'.repeat(done) + '░'.repeat(width - done);
}

export function panelTitle(t: Pick<TrainingView, 'name' | 'kind' | 'from'>): string {
  return t.kind === 'finetune' ? `fine-tuning ${t.name} from ${t.from}` : `training ${t.name}`;
}

/** Losses first: they are what the panel is for; then time left, then speed. */
export function figureFields(t: TrainingView): Field[] {
  const speed = t.tokensPerSec === null ? '–' : formatCount(t.tokensPerSec);
  return [
    { text: `train loss ${formatLoss(t.trainLoss)}`, short: `train ${formatLoss(t.trainLoss)}`, rank: 0, shortRank: 3 },
    { text: `val loss ${formatLoss(t.valLoss)}`, short: `val ${formatLoss(t.valLoss)}`, rank: 0, shortRank: 3 },
    { text: `ETA ${formatDuration(t.etaSeconds)}`, rank: 1 },
    { text: `${speed} tok/s`, rank: 2 },
  ];
}

export function TrainingPanel({ training: t, columns = 80 }: { training: TrainingView; columns?: number }) {
  const inner = Math.max(10, columns - PANEL_FRAME);
  const title = panelTitle(t);
  const steps = t.totalSteps ? `${t.step}/${t.totalSteps}` : `step ${t.step}`;
  const barWidth = Math.min(BAR_WIDTH, inner - stringWidth(title) - stringWidth(steps) - 2);
  const bar = t.totalSteps && barWidth >= MIN_BAR ? `${progressBar(t.step, t.totalSteps, barWidth)} ` : '';
  const figures = fitFields(figureFields(t), inner)
    .map((f) => f.shown)
    .join(' · ');
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="magenta" paddingX={1} marginTop={1}>
      <Text wrap="truncate-end">
        <Text color="magenta" bold>{`${title} `}</Text>
        <Text>{`${bar}${steps}`}</Text>
      </Text>
      <Text wrap="truncate-end" dimColor>
        {figures}
      </Text>
      <LossChart losses={t.losses} width={inner} />
    </Box>
  );
}
