// Prompts waiting for the model (sent while a reply streams or a model opens), one line each.
import { Box, Text } from 'ink';

const SHOWN = 3;

export function QueuedPrompts({ queued }: { queued: readonly string[] }) {
  if (queued.length === 0) return null;
  return (
    <Box flexDirection="column" marginTop={1}>
      {queued.slice(0, SHOWN).map((text, i) => (
        <Text key={i} dimColor wrap="truncate-end">
          <Text color="cyan">{'queued › '}</Text>
          {text.replace(/\n/g, ' ⏎ ')}
        </Text>
      ))}
      {queued.length > SHOWN && <Text dimColor>{`… and ${queued.length - SHOWN} more, sent in turn`}</Text>}
    </Box>
  );
}
