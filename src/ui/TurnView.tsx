// One finished turn of the transcript.
import { Box, Text } from 'ink';
import { HangingText } from './HangingText.js';
import type { Turn } from './types.js';
import { ProbsLegend, ProbsText } from './probs/ProbsText.js';
import { colourSupported } from './probs/style.js';

/** `width`: the terminal's columns when the turn is written. */
export function TurnView({ turn, width }: { turn: Turn; width: number }) {
  switch (turn.kind) {
    case 'user':
      return (
        <Box marginTop={1}>
          <HangingText label="you › " text={turn.text} width={width} color="cyan" />
        </Box>
      );
    case 'command':
      return (
        <Box marginTop={1}>
          <HangingText label="› " text={turn.text} width={width} color="gray" textColor="gray" />
        </Box>
      );
    case 'reply':
      return (
        <Box flexDirection="column">
          <Text>
            <Text color="green" bold>
              {turn.model}
            </Text>
            <Text dimColor>
              {turn.stepped ? ' · stepped by hand' : ` · ${turn.tokensPerSec.toFixed(1)} tok/s`}
              {turn.stopped ? ' · stopped' : ''}
            </Text>
          </Text>
          {turn.tokens && turn.text !== '' ? (
            <>
              <ProbsText tokens={turn.tokens} colour={colourSupported()} />
              <ProbsLegend colour={colourSupported()} />
            </>
          ) : (
            <Text>{turn.text === '' ? '(nothing)' : turn.text}</Text>
          )}
        </Box>
      );
    // Wrapped here rather than by Ink, whose continuation rows start with the space they broke at.
    case 'output':
      return <HangingText label="" text={turn.text} width={width} />;
    case 'error':
      return <HangingText label="✗ " text={turn.text} width={width} color="red" textColor="red" />;
    case 'info':
      return <HangingText label="• " text={turn.text} width={width} color="yellow" textColor="yellow" />;
  }
}
