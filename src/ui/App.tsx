// The screen: finished turns above (static), then the live area: streaming reply, training, input, status.
import { Box } from 'ink';
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
  // Rows left for the streaming reply once the panel, input and status bar have theirs.
  const replyRows = Math.max(3, rows - (training ? 22 : 9));
  return (
    <>
      <Transcript turns={view.turns} generation={`${view.epoch}.${redraws}`} width={columns} />
      {/* On quit the live area goes, so the terminal is left with the conversation. */}
      {!view.quitting && (
        <Box flexDirection="column">
          <LiveReply live={view.live} maxLines={replyRows} />
          {training && <TrainingPanel training={training} columns={columns} />}
          <QueuedPrompts queued={view.queued} />
          {view.panel && <ProbsPanel panel={view.panel} width={columns} />}
          <InputBox controller={controller} />
          <StatusBar view={view} columns={columns} />
        </Box>
      )}
    </>
  );
}
