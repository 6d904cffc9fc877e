// The screen: finished turns above (static), then the live area: streaming reply, training, input, status.
import { Box, useStdout } from 'ink';
import { InputBox } from './InputBox.js';
import { LiveReply } from './LiveReply.js';
import { StatusBar } from './StatusBar.js';
import { TrainingPanel } from './TrainingPanel.js';
import { Transcript } from './Transcript.js';
import type { ChatController } from './types.js';
import { useChatView } from './useChatView.js';
import { useExitOnQuit } from './useExitOnQuit.js';

export function App({ controller }: { controller: ChatController }) {
  const view = useChatView(controller);
  useExitOnQuit(view.quitting);
  const { stdout } = useStdout();
  const training = view.training?.running ? view.training : null;
  // Rows left for the streaming reply once the panel, input and status bar have theirs.
  const replyRows = Math.max(3, (stdout.rows ?? 24) - (training ? 21 : 9));
  return (
    <>
      <Transcript turns={view.turns} epoch={view.epoch} />
      {/* On quit the live area goes, so the terminal is left with the conversation. */}
      {!view.quitting && (
        <Box flexDirection="column">
          <LiveReply live={view.live} maxLines={replyRows} />
          {training && <TrainingPanel training={training} />}
          <InputBox controller={controller} />
          <StatusBar view={view} />
        </Box>
      )}
    </>
  );
}
