// The reply (or command output) streaming in right now.
import { Box, Text } from 'ink';
import type { LiveText } from './types.js';

export function LiveReply({ live }: { live: LiveText | null }) {
  if (!live) return null;
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text color="green" bold>
        {live.label}
      </Text>
      <Text>
        {live.text}
        <Text color="gray">▍</Text>
      </Text>
    </Box>
  );
}
