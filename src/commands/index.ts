// The registry of commands shared by the CLI and the chat.
import { benchCommand } from './bench.js';
import { chatCommand } from './chat.js';
import { checkCommand } from './check.js';
import { classifyCommand } from './classify.js';
import { clearCommand } from './clear.js';
import { compareCommand } from './compare.js';
import { contextCommand } from './context.js';
import { systemCommand } from './system.js';
import { quantizeCommand } from './quantize.js';
import { mergeCommand } from './merge.js';
import { corporaCommand } from './corpora.js';
import { evalCommand } from './eval.js';
import { exportCommand } from './export.js';
import { finetuneCommand } from './finetune.js';
import { generateCommand } from './generate.js';
import { helpCommand } from './help.js';
import { importCommand } from './import.js';
import { inspectCommand } from './inspect.js';
import { modelsCommand } from './models.js';
import { nextCommand } from './next.js';
import { presetsCommand } from './presets.js';
import { pullCommand } from './pull.js';
import { probsCommand } from './probs.js';
import { quitCommand } from './quit.js';
import { saveCommand } from './save.js';
import { setCommand, settingShortcuts } from './set.js';
import { showCommand } from './show.js';
import { stepCommand } from './step.js';
import { stopCommand } from './stop.js';
import { trainCommand } from './train.js';
import type { Command, Scope } from './types.js';
import { useCommand } from './use.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommand = Command<any>;

let registry: AnyCommand[] | null = null;

/** Built on first use: help.ts imports this module back, so nothing here may run at import time. */
export function allCommands(): AnyCommand[] {
  return (registry ??= [
    helpCommand,
    chatCommand,
    trainCommand,
    finetuneCommand,
    generateCommand,
    classifyCommand,
    evalCommand,
    exportCommand,
    pullCommand,
    importCommand,
    modelsCommand,
    checkCommand,
    corporaCommand,
    presetsCommand,
    benchCommand,
    quantizeCommand,
    mergeCommand,
    useCommand,
    compareCommand,
    showCommand,
    setCommand,
    ...settingShortcuts,
    contextCommand,
    systemCommand,
    probsCommand,
    nextCommand,
    stepCommand,
    inspectCommand,
    stopCommand,
    saveCommand,
    clearCommand,
    quitCommand,
  ]);
}

/** A command by name or alias (case-insensitive, a leading `/` ignored). */
export function findCommand(name: string): AnyCommand | undefined {
  const key = name.replace(/^\//, '').toLowerCase();
  return allCommands().find((c) => c.name === key || c.aliases?.includes(key));
}

export function commandsFor(scope: Scope): AnyCommand[] {
  return allCommands().filter((c) => c.scopes.includes(scope));
}
