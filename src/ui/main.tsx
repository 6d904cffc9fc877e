// Entry point of the chat: start the backend, render the app, and tidy up when it exits.
import { render } from 'ink';
import { backendLabel, describeBackend, describeBackendBriefly, initBackend } from '../engine/runtime/backend.js';
import { configDir } from '../engine/store/paths.js';
import { tidyModelsDir } from '../engine/store/registry.js';
import type { BackendName } from '../engine/types.js';
import { App } from './App.js';
import { autosaveConversation } from './autosave.js';
import { LastResort } from './LastResort.js';
import { CLEAR_SCREEN } from './useRedrawOnResize.js';
import { realEngine } from './real-engine.js';
import { firstLine } from '../engine/first-line.js';
import { Chat } from './session.js';

// Bracketed paste: the terminal marks pasted text, so its line breaks stay text instead of sending it.
const PASTE_ON = '\u001B[?2004h';
const PASTE_OFF = '\u001B[?2004l';
const pasteOff = () => process.stdout.write(PASTE_OFF);

export async function runChat(options: { modelsDir: string; backend?: BackendName; model?: string }): Promise<void> {
  if (!process.stdin.isTTY) {
    throw new Error('The chat needs an interactive terminal. Without one, use the commands: `inkling --help` lists them (e.g. `inkling generate`, `inkling train`).');
  }
  // A save killed last time: put the previous checkpoint back and clear leftovers before listing.
  const tidied = await tidyModelsDir(options.modelsDir);
  const backend = await initBackend(options.backend ?? 'auto');
  const session = new Chat({
    modelsDir: options.modelsDir,
    ...(options.model ? { openModel: options.model } : {}),
    configDir: configDir(),
    deps: realEngine(options.modelsDir),
    backendLabel: backendLabel(backend),
    backendDetail: describeBackend(backend),
    // The backend that runs, not just the one asked for: a training worker then starts it directly
    // instead of probing (probes can print from native code over the Ink screen).
    backend: options.backend ?? backend.name,
  });
  session.notice(`${describeBackendBriefly(backend)} (/show has the details)`);
  for (const line of tidied) session.notice(line);
  process.stdout.write(PASTE_ON);
  process.once('exit', pasteOff);
  const restoreHandlers = keepGoingOnUnexpectedErrors((err) => session.notice(`Unexpected error: ${firstLine(err)} (the chat goes on; quitting saves the conversation)`));
  const instance = render(
    <LastResort>
      <App controller={session} />
    </LastResort>,
    { exitOnCtrlC: false },
  );
  // /clear: wipe what <Static> already wrote (the transcript remounts empty on its new epoch).
  let epoch = session.getView().epoch;
  const unsubscribe = session.subscribe(() => {
    const next = session.getView().epoch;
    if (next === epoch) return;
    epoch = next;
    process.stdout.write(CLEAR_SCREEN);
  });
  session.start().catch((err) => session.notice(`Could not open a model: ${firstLine(err)}`));
  let crash: unknown = null;
  try {
    await instance.waitUntilExit();
  } catch (err) {
    crash = err;
  } finally {
    pasteOff();
    process.off('exit', pasteOff);
    unsubscribe();
    restoreHandlers();
  }
  const { turns, queued } = session.getView();
  const saved = autosaveConversation(configDir(), turns, () => session.transcriptMarkdown(), queued);
  if (saved && !crash) process.stdout.write(`${saved}\n`);
  const training = session.training;
  if (training?.running) process.stdout.write(`Stopping training ${training.request.name} after a checkpoint…\n`);
  await session.shutdown();
  if (crash) throw new Error(`the chat stopped on an unexpected error: ${firstLine(crash)}. ${saved ?? 'There was no conversation to save.'}`);
}

/** While the chat runs, an error nothing caught is a line in the transcript instead of the end of the chat. */
export function keepGoingOnUnexpectedErrors(report: (err: unknown) => void): () => void {
  const events = ['uncaughtException', 'unhandledRejection'] as const;
  const before = events.map((event) => process.rawListeners(event));
  for (const event of events) {
    process.removeAllListeners(event);
    process.on(event, report);
  }
  return () => {
    events.forEach((event, i) => {
      process.off(event, report);
      for (const listener of before[i]!) process.on(event, listener as (err: unknown) => void);
    });
  };
}
