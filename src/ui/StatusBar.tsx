// One line under the input: model, run state, context mode, last speed, backend, sampling settings.
// Fields are ranked (fit-fields.ts): at 60 columns model, run, mode and tok/s still show.
import { Box, Text } from 'ink';
import { formatParams } from '../commands/format.js';
import { fitFields, type Field } from './fit-fields.js';
import type { ChatView } from './types.js';

type StatusView = Pick<ChatView, 'model' | 'backend' | 'settings' | 'lastTokensPerSec'> & Partial<Pick<ChatView, 'training'>>;

export function statusFields(view: StatusView): Field[] {
  const { model, settings: s, training } = view;
  const run = training?.running ? training : null;
  const percent = run?.totalSteps ? ` ${Math.floor((100 * run.step) / run.totalSteps)}%` : run ? ` step ${run.step}` : '';
  const fields: (Field | null)[] = [
    model
      ? { text: `${model.name} (${model.arch}, ${formatParams(model.params)} params)`, short: model.name, rank: 0, shortRank: 2, color: 'green' }
      : { text: 'no model', rank: 0, color: 'red' },
    model?.task === 'classify' ? { text: 'classify mode', short: 'classify', rank: 1, shortRank: 1, color: 'cyan' } : null,
    model?.instruct ? { text: 'chat mode', short: 'chat', rank: 1, shortRank: 1, color: 'cyan' } : null,
    run ? { text: `${run.kind === 'finetune' ? 'fine-tuning' : 'training'} ${run.name}${percent}`, short: `${run.name}${percent}`, rank: 1, shortRank: 3, color: 'magenta' } : null,
    s.context && model?.reach
      ? { text: `context: ${model.reach}`, short: `ctx ${model.reach.replace(/^last /, '')}`, rank: 2, shortRank: 3, dim: true }
      : { text: s.context ? 'context on' : 'context off', short: s.context ? 'ctx on' : 'ctx off', rank: 2, shortRank: 3, dim: true },
    { text: view.lastTokensPerSec === null ? '– tok/s' : `${view.lastTokensPerSec.toFixed(1)} tok/s`, rank: 2, dim: true },
    { text: `temp ${s.temperature}`, rank: 4, dim: true },
    { text: `max ${s.maxTokens}`, rank: 5, dim: true },
    { text: view.backend, rank: 6, dim: true },
    { text: `top-k ${s.topK}`, rank: 7, dim: true },
    { text: `top-p ${s.topP}`, rank: 7, dim: true },
    { text: `seed ${s.seed ?? 'random'}`, rank: 8, dim: true },
  ];
  return fields.filter((f): f is Field => f !== null);
}

const SEPARATOR = ' │ ';

export function StatusBar({ view, columns = 80 }: { view: StatusView; columns?: number }) {
  // One column spare: writing the last column makes some terminals wrap.
  const shown = fitFields(statusFields(view), columns - 1, SEPARATOR);
  return (
    <Box>
      <Text wrap="truncate-end">
        {shown.map((f, i) => (
          <Text key={i}>
            {i > 0 && <Text dimColor>{SEPARATOR}</Text>}
            <Text color={f.color} dimColor={f.dim}>
              {f.shown}
            </Text>
          </Text>
        ))}
      </Text>
    </Box>
  );
}
