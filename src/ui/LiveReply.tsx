// The reply (or command output) streaming in right now. Only its tail is shown, so the live area
// never outgrows the terminal (Ink would then redraw the whole screen on every token).
import { Box, Text, useStdout } from 'ink';
import type { LiveText } from './types.js';

/** The last `maxLines` terminal rows of `text` at `width` columns, and how many rows were left out. */
export function tailRows(text: string, width: number, maxLines: number): { text: string; hidden: number } {
  const cols = Math.max(1, width);
  const rows: string[] = [];
  for (const line of text.split('\n')) {
    if (line.length === 0) rows.push('');
    for (let i = 0; i < line.length; i += cols) rows.push(line.slice(i, i + cols));
  }
  const keep = Math.max(1, maxLines);
  if (rows.length <= keep) return { text, hidden: 0 };
  return { text: rows.slice(-keep).join('\n'), hidden: rows.length - keep };
}

export function LiveReply({ live, maxLines = 20 }: { live: LiveText | null; maxLines?: number }) {
  const { stdout } = useStdout();
  if (!live) return null;
  const { text, hidden } = tailRows(live.text, (stdout.columns ?? 80) - 1, maxLines);
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text>
        <Text color="green" bold>
          {live.label}
        </Text>
        {hidden > 0 && <Text dimColor>{` (${hidden} more lines above)`}</Text>}
      </Text>
      <Text>
        {text}
        <Text color="gray">▍</Text>
      </Text>
    </Box>
  );
}
