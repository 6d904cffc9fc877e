// The screen: finished turns above (static), then the live area: streaming reply, training, input, status.
import { Box, measureElement, type DOMElement } from 'ink';
import { useEffect, useRef, useState } from 'react';
import { DownloadPanel } from './DownloadPanel.js';
import { InputBox } from './InputBox.js';
import { LiveReply } from './LiveReply.js';
import { QueuedPrompts } from './QueuedPrompts.js';
import { ProbsPanel } from './probs/ProbsPanel.js';
import { StatusBar } from './StatusBar.js';
import { TrainingPanel } from './TrainingPanel.js';
import { Transcript } from './Transcript.js';
import type { ChatController } from './types.js';
import { useChatView } from './useChatView.js';
import { useExitOnQuit } from './useExitOnQuit.js';
import { useRedrawOnResize } from './useRedrawOnResize.js';
import { useTerminalSize } from './useTerminalSize.js';

export function App({ controller }: { controller: ChatController }) {
  const view = useChatView(controller);
  useExitOnQuit(view.quitting);
  const { columns, rows } = useTerminalSize();
  const redraws = useRedrawOnResize();
  const training = view.training?.running ? view.training : null;
  // Rows left for the streaming reply once the panel, input and status bar below it have theirs (measured
  // after each render), keeping the live area shorter than the terminal: at full height Ink redraws the
  // whole transcript on every frame, and after a resize redraw it would print it twice.
  const below = useRef<DOMElement>(null);
  const [belowRows, setBelowRows] = useState(training ? 20 : 7);
  useEffect(() => {
    if (!below.current) return;
    const { height } = measureElement(below.current);
    if (height !== belowRows) setBelowRows(height);
  });
  // Two rows spare: `below` is measured a render late, and a notice or queued line appearing (Esc's "Stopped.")
  // would otherwise bring the frame to full height for that render.
  const replyRows = Math.max(1, rows - belowRows - 5);
  return (
    <>
      <Transcript turns={view.turns} generation={`${view.epoch}.${redraws}`} width={columns} />
      {/* On quit the live area goes, so the terminal is left with the conversation. */}
      {!view.quitting && (
        <Box flexDirection="column">
          <LiveReply live={view.live} maxLines={replyRows} />
          <Box ref={below} flexDirection="column">
            {training && <TrainingPanel training={training} columns={columns} />}
            {view.download && <DownloadPanel download={view.download} columns={columns} />}
            <QueuedPrompts queued={view.queued} />
            {view.panel && <ProbsPanel panel={view.panel} width={columns} />}
            <InputBox controller={controller} maxRows={Math.max(1, Math.floor(rows / 4))} />
            <StatusBar view={view} columns={columns} />
          </Box>
        </Box>
      )}
    </>
  );
}
