// The prompt box: Enter sends, Up/Down walk the input history, Tab completes, pastes stay one input.
// Long input wraps inside the box with a hanging indent.
import { Box, Text } from 'ink';
import { useEffect, useReducer, useRef, useState } from 'react';
import type { KeyEvent } from './keys.js';
import { applyKey, EMPTY_LINE, lineAt, type LineState } from './line-editing.js';
import { firstLine } from '../engine/first-line.js';
import { TextField } from './TextField.js';
import { routePanelKey } from './probs/panel-keys.js';
import type { ChatController } from './types.js';
import { useInterruptKeys } from './useInterruptKeys.js';
import { useKeys } from './useKeys.js';
import { useTerminalSize } from './useTerminalSize.js';

/** The line after Tab, given the completions for its last word; and candidates to show when ambiguous. */
export function applyCompletion(line: string, candidates: readonly string[]): { line: string; shown: string[] } {
  if (candidates.length === 0) return { line, shown: [] };
  const start = line.length - (/\S*$/.exec(line)?.[0].length ?? 0);
  // A folder stays open for the next Tab; anything else is a finished word.
  if (candidates.length === 1) return { line: line.slice(0, start) + candidates[0] + (candidates[0]!.endsWith('/') ? '' : ' '), shown: [] };
  let prefix = candidates[0]!;
  for (const c of candidates) while (!c.startsWith(prefix)) prefix = prefix.slice(0, -1);
  const word = line.slice(start);
  return { line: prefix.length > word.length ? line.slice(0, start) + prefix : line, shown: [...candidates] };
}

// Border and padding on each side.
const BOX_FRAME = 4;

/** `maxRows`: the most rows of text the box shows (a long paste scrolls with the cursor). */
export function InputBox({ controller, maxRows = 8 }: { controller: ChatController; maxRows?: number }) {
  const { columns } = useTerminalSize();
  // The line lives in a ref, changed synchronously by each key; a render just shows it.
  const line = useRef<LineState>(EMPTY_LINE);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const [notice, setNotice] = useState<{ text: string; forMs?: number } | null>(null);

  useEffect(() => {
    if (!notice?.forMs) return;
    const timer = setTimeout(() => setNotice((now) => (now === notice ? null : now)), notice.forMs);
    return () => clearTimeout(timer);
  }, [notice]);

  const notify = (text: string | null, forMs?: number) => setNotice(text === null ? null : { text, forMs });
  const setLine = (next: LineState) => {
    if (next === line.current) return;
    line.current = next;
    controller.panels?.draftChanged(next.value);
    rerender();
  };
  const complete = async () => {
    const before = line.current.value;
    const { line: completed, shown } = applyCompletion(before, await controller.complete(before));
    if (line.current.value !== before) return; // typed on meanwhile
    setLine(lineAt(completed));
    notify(shown.length > 0 ? shown.join('  ') : null);
  };

  const interruptKey = useInterruptKeys({
    controller,
    isInputEmpty: () => line.current.value === '',
    clearInput: () => setLine(EMPTY_LINE),
    notify,
  });
  const onKey = (key: KeyEvent) => {
    const view = controller.getView();
    if (controller.panels && routePanelKey(controller.panels, view.panel, key, view.generating)) return;
    if (interruptKey(key)) return;
    if (key.type === 'key' && key.name === 'up') {
      const older = controller.history.up(line.current.value);
      if (older !== undefined) setLine(lineAt(older));
    } else if (key.type === 'key' && key.name === 'down') {
      const newer = controller.history.down();
      if (newer !== undefined) setLine(lineAt(newer));
    } else if (key.type === 'key' && key.name === 'tab') {
      void complete();
    } else {
      const before = line.current;
      const { state, submit } = applyKey(before, key);
      setLine(state);
      if (state !== before || submit !== undefined) notify(null);
      if (submit !== undefined) void controller.submit(submit);
    }
  };
  // A key that fails must not end the chat: say so in one line and go on.
  useKeys(onKey, (err) => notify(`That key failed: ${firstLine(err)}`));

  return (
    <Box flexDirection="column" marginTop={1}>
      <Box borderStyle="round" borderColor="cyan" paddingX={1}>
        <TextField line={line.current} placeholder="Type a prompt, or /help" width={columns - BOX_FRAME} maxRows={maxRows} />
      </Box>
      {notice && <Text dimColor>{notice.text}</Text>}
    </Box>
  );
}
