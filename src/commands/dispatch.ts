// Input -> command -> run, for the chat (`/cmd args`) and the CLI (argv). Every failure becomes one
// error line through ctx.out.error: nothing thrown, no stack traces.
import { suggest, UsageError } from './args.js';
import { firstLine } from '../engine/first-line.js';
import { commandsFor, findCommand, type AnyCommand } from './index.js';
import { splitArgv } from './split.js';
import type { CommandContext, Scope } from './types.js';
import { CommandError } from './types.js';

export { commandsFor, findCommand } from './index.js';
export { splitArgv } from './split.js';

/** ok; usage: the input was wrong (CLI exit 2); failed: the command ran and failed (exit 1). */
export type Outcome = 'ok' | 'usage' | 'failed';

const MAX_ERROR = 300;

/** Make any message one printable line of bounded length. */
export function printableLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\r\n\u2028\u2029]+/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').trim();
  const chars = [...flat];
  return chars.length > MAX_ERROR ? chars.slice(0, MAX_ERROR).join('') + '…' : flat || 'error';
}

function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

function report(error: unknown, ctx: CommandContext): void {
  if (error instanceof CommandError) {
    ctx.out.error(printableLine(error.message));
    return;
  }
  if (process.env.INKLING_DEBUG === '1' && error instanceof Error && error.stack) process.stderr.write(error.stack + '\n');
  ctx.out.error(printableLine(`error: ${firstLine(error)}`));
}

function scopeError(command: AnyCommand, scope: Scope): string {
  if (scope === 'chat') {
    const hint = command.name === 'generate' ? ' — in the chat, just type a prompt' : '';
    return `/${command.name} works only on the command line: inkling ${command.name} ...${hint}`;
  }
  return `${command.name} works only in the chat: run inkling with no command, then /${command.name}`;
}

function unknownCommand(name: string, scope: Scope): string {
  const prefix = scope === 'chat' ? '/' : '';
  const shown = [...name].slice(0, 40).join('');
  const near = suggest(name.toLowerCase(), commandsFor(scope).map((c) => c.name));
  const hint = scope === 'chat' ? '/help lists commands' : 'inkling --help lists commands';
  return `unknown command ${prefix}${shown}` + (near ? ` (did you mean ${prefix}${near}?)` : '') + ` — ${hint}`;
}

/** Run a command by name with argv, in a scope. Errors are reported on ctx.out.error. */
export async function runArgv(name: string, argv: readonly string[], ctx: CommandContext, scope: Scope): Promise<Outcome> {
  const command = findCommand(name);
  if (!command) {
    ctx.out.error(printableLine(unknownCommand(name, scope)));
    return 'usage';
  }
  if (!command.scopes.includes(scope)) {
    ctx.out.error(printableLine(scopeError(command, scope)));
    return 'usage';
  }
  if (wantsHelp(argv)) {
    ctx.out.line(command.help);
    return 'ok';
  }
  let args: unknown;
  try {
    args = command.parse([...argv]);
  } catch (error) {
    report(error, ctx);
    return 'usage';
  }
  try {
    await command.run(args, ctx);
    return 'ok';
  } catch (error) {
    if (ctx.signal?.aborted && !(error instanceof CommandError)) return 'ok';
    report(error, ctx);
    return error instanceof UsageError ? 'usage' : 'failed';
  }
}

/** Chat input starting with `/`: find the command, split its arguments, run it. Never throws. */
export async function runCommandLine(input: string, ctx: CommandContext): Promise<void> {
  try {
    const text = input.replace(/^\s*\//, '');
    const match = /^(\S*)\s*([\s\S]*)$/.exec(text)!;
    const name = match[1]!;
    const rest = match[2]!;
    if (name === '') {
      ctx.out.error('type a command after / — /help lists commands');
      return;
    }
    const command = findCommand(name);
    let argv: string[];
    try {
      argv = command?.splitChat ? command.splitChat(rest) : splitArgv(rest);
    } catch (error) {
      report(error instanceof CommandError ? error : new CommandError(`cannot read the arguments: ${firstLine(error)}`), ctx);
      return;
    }
    await runArgv(name, argv, ctx, 'chat');
  } catch (error) {
    report(error, ctx);
  }
}

/** Tab completion: candidates for the last word of the chat input line. Never throws. */
export async function completeInput(input: string, ctx: CommandContext): Promise<string[]> {
  try {
    if (!input.startsWith('/')) return [];
    const match = /^\/(\S*)(\s+([\s\S]*))?$/.exec(input);
    if (!match) return [];
    const name = match[1]!;
    if (match[2] === undefined) {
      const names = commandsFor('chat').flatMap((c) => [c.name, ...(c.aliases ?? []).filter((a) => a.length > 1)]);
      return names.filter((n) => n.startsWith(name.toLowerCase())).map((n) => `/${n}`);
    }
    const command = findCommand(name);
    if (!command?.complete || !command.scopes.includes('chat')) return [];
    const rest = match[3] ?? '';
    const words = splitArgv(rest);
    if (rest === '' || /\s$/.test(rest)) words.push('');
    return [...new Set(await command.complete(words, ctx))];
  } catch {
    return [];
  }
}
