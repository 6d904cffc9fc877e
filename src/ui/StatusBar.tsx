// One line under the input: model, backend, sampling settings, last speed.
import { Box, Text } from 'ink';
import { formatParams } from '../commands/format.js';
import type { ChatView } from './types.js';

export function StatusBar({ view }: { view: Pick<ChatView, 'model' | 'backend' | 'settings' | 'lastTokensPerSec'> }) {
  const { model, settings: s } = view;
  const modelText = model ? `${model.name} (${model.arch}, ${formatParams(model.params)} params)` : 'no model';
  const sampling = `temp ${s.temperature} · top-k ${s.topK} · top-p ${s.topP} · max ${s.maxTokens} · seed ${s.seed ?? 'random'}`;
  const speed = view.lastTokensPerSec === null ? '– tok/s' : `${view.lastTokensPerSec.toFixed(1)} tok/s`;
  return (
    <Box>
      <Text wrap="truncate-end">
        <Text color={model ? 'green' : 'red'}>{modelText}</Text>
        <Text dimColor>{` │ ${view.backend} │ ${sampling}${s.context ? ' · context on' : ''} │ ${speed}`}</Text>
      </Text>
    </Box>
  );
}
