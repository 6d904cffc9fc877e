// A label and text wrapped to the terminal's width, continuation rows indented under the text
// (`you › It is a truth …` / `      in want of …`), so a long prompt never runs past the edge; within the text,
// a help list's rows wrap under their description (wrap.ts, hangOf).
import { Box, Text } from 'ink';
import stringWidth from 'string-width';
import { wrapHanging } from './wrap.js';

/** `color` is the label's; `textColor` the text's (default: the terminal's). */
export function HangingText({ label, text, width, color, textColor, dim }: { label: string; text: string; width: number; color?: string; textColor?: string; dim?: boolean }) {
  const indent = ' '.repeat(stringWidth(label));
  // The last column stays empty: a row that fills it makes some terminals wrap on their own.
  const rows = wrapHanging(text, Math.max(1, width - indent.length - 1));
  return (
    <Box flexDirection="column">
      {rows.map((row, i) => (
        <Text key={i} dimColor={dim} color={textColor} wrap="truncate-end">
          {i === 0 ? (
            <Text color={color} bold>
              {label}
            </Text>
          ) : (
            indent
          )}
          {row}
        </Text>
      ))}
    </Box>
  );
}
