// The open probability panel: /next (live candidates for the draft), /step (hand-stepped generation),
// /inspect (a cursor over the last reply's tokens).
import { Box, Text } from 'ink';
import type { TokenProbs } from '../../engine/types.js';
import { CandidateBars } from './CandidateBars.js';
import type { PanelView } from './panel.js';
import { ProbsText } from './ProbsText.js';
import { colourSupported, percent, visibleLabel } from './style.js';

/** Tokens of a long reply shown around the /inspect cursor. */
const INSPECT_WINDOW = 40;

function tail(text: string, chars: number): string {
  const flat = text.replace(/\n/g, '↵');
  return flat.length > chars ? '…' + flat.slice(-chars) : flat;
}

export function ProbsPanel({ panel, width }: { panel: PanelView; width: number }) {
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="magenta" paddingX={1} width={width}>
      <PanelBody panel={panel} width={width - 4} />
    </Box>
  );
}

function PanelBody({ panel, width }: { panel: PanelView; width: number }) {
  switch (panel.kind) {
    case 'next':
      return (
        <>
          <Text wrap="truncate">
            <Text bold color="magenta">{'next token'}</Text>
            <Text dimColor>{` after "${tail(panel.prompt, Math.max(10, width - 24))}"${panel.busy ? ' …' : ''}`}</Text>
          </Text>
          {panel.error && <Text color="red">{panel.error}</Text>}
          {panel.probs ? <CandidateBars probs={panel.probs} settings={panel.settings} width={width} /> : <Text dimColor>reading…</Text>}
          <Text dimColor>{'type to change the text · /temp /topk /topp reshape · Esc closes'}</Text>
        </>
      );
    case 'step':
      return (
        <>
          <Text>
            <Text bold color="magenta">{'step '}</Text>
            <Text dimColor>{panel.prompt}</Text>
            <ProbsText tokens={panel.tokens} colour={colourSupported()} />
            <Text inverse>{panel.busy ? '…' : ' '}</Text>
          </Text>
          {panel.error && <Text color="red">{panel.error}</Text>}
          {panel.probs && <CandidateBars probs={panel.probs} settings={panel.settings} width={width} highlighted={panel.highlighted} />}
          <Text dimColor>{'↑↓ choose · Enter accept · Space sample · ⌫ undo · Esc done'}</Text>
        </>
      );
    case 'inspect':
      return <Inspect tokens={panel.tokens} cursor={panel.cursor} width={width} />;
  }
}

function Inspect({ tokens, cursor, width }: { tokens: readonly TokenProbs[]; cursor: number; width: number }) {
  const from = Math.max(0, cursor - INSPECT_WINDOW);
  const to = Math.min(tokens.length, cursor + INSPECT_WINDOW + 1);
  const token = tokens[cursor]!;
  const colour = colourSupported();
  return (
    <>
      <Text>
        {from > 0 ? '…' : ''}
        <ProbsText tokens={tokens.slice(from, cursor)} colour={colour} />
        {/* Without colour, inverse video is dropped too: the cursor token is bracketed instead. */}
        <Text inverse>{colour ? token.text || '∅' : `⟦${token.text || '∅'}⟧`}</Text>
        <ProbsText tokens={tokens.slice(cursor + 1, to)} colour={colour} />
        {to < tokens.length ? '…' : ''}
      </Text>
      <Text wrap="truncate">
        <Text bold color="magenta">{`token ${cursor + 1}/${tokens.length} `}</Text>
        {`"${visibleLabel(token.chosen.label)}" · p ${percent(token.chosen.sampled)} as sampled · ${percent(Math.exp(token.chosen.logprob))} model`}
      </Text>
      <CandidateBars probs={token} settings={null} width={width} chosenId={token.chosen.id} />
      <Text dimColor>{'←→ move · Esc ends'}</Text>
    </>
  );
}
