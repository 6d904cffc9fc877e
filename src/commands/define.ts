// Builds a Command from one flag declaration: parser, usage, help and Tab completion stay in step.
import { completeFlags, helpText, parseWith, usageLine, type ArgSpec, type Parsed } from './args.js';
import { corpusNames } from './corpus-check.js';
import { modelNames, presetNames } from './model-lookup.js';
import { completePath, looksLikePath } from './path-completion.js';
import type { Command, CommandContext, Scope } from './types.js';
import { CommandError } from './types.js';

export interface CommandDef<S extends ArgSpec, A> {
  name: string;
  aliases?: string[];
  summary: string;
  scopes: Scope[];
  spec: S;
  /** Turn parsed flags into the command's arguments; throws CommandError for bad combinations. */
  build(parsed: Parsed<S>, argv: readonly string[]): A;
  run(args: A, ctx: CommandContext): Promise<void>;
  /** Completions for values the declaration cannot describe (e.g. setting names). */
  completeValue?(words: string[], ctx: CommandContext): Promise<string[] | null> | string[] | null;
  splitChat?(raw: string): string[];
}

export type SpecCommand<A> = Command<A> & { spec: ArgSpec };

function scopeNote(name: string, scopes: Scope[]): string | undefined {
  if (scopes.length !== 1) return undefined;
  return scopes[0] === 'chat' ? `(chat only: type /${name} in the chat)` : `(command line only: inkling ${name} ...)`;
}

/** The value of `--flag` typed earlier on the line (`--flag value` or `--flag=value`). */
function earlierValue(words: readonly string[], flag: string): string | undefined {
  for (let i = words.length - 2; i >= 0; i--) {
    const w = words[i]!;
    if (w === flag) return words[i + 1];
    if (w.startsWith(`${flag}=`)) return w.slice(flag.length + 1);
  }
  return undefined;
}

/** Candidates for a value of this kind that start with `word`. */
async function valuesOf(kind: string | undefined, word: string, words: readonly string[], ctx: CommandContext): Promise<string[]> {
  const starting = (values: string[]) => values.filter((v) => v.startsWith(word));
  switch (kind) {
    case 'model':
      return starting(await modelNames(ctx));
    case 'corpus':
      // A corpus name or a text file: a path-like word lists files, any other word both.
      if (looksLikePath(word)) return completePath(word);
      return [...starting(await corpusNames()), ...(word ? await completePath(word) : [])];
    case 'preset':
      // Only the presets of the architecture given earlier on the line.
      return starting(await presetNames(earlierValue(words, '--arch')));
    default:
      return [];
  }
}

/** Default completion: flags after `-`, a flag's declared values, or the positional's values. */
async function completeFromSpec(spec: ArgSpec, words: string[], ctx: CommandContext): Promise<string[]> {
  const word = words[words.length - 1] ?? '';
  if (word.startsWith('-')) return completeFlags(spec, word);
  const previous = words[words.length - 2];
  if (previous?.startsWith('--')) {
    const option = spec.options[previous.slice(2)];
    if (option && option.type !== 'boolean') {
      return option.choices ? option.choices.filter((v) => v.startsWith(word)) : valuesOf(option.values, word, words, ctx);
    }
  }
  // Count positionals typed so far, skipping flags and their values.
  let index = 0;
  for (let i = 0; i < words.length - 1; i++) {
    const w = words[i]!;
    if (w.startsWith('--')) {
      const option = spec.options[w.slice(2)];
      if (option && option.type !== 'boolean' && !w.includes('=')) i++;
    } else {
      index++;
    }
  }
  const positional = spec.positionals?.[index] ?? spec.positionals?.find((p) => p.rest);
  return valuesOf(positional?.values, word, words, ctx);
}

export function defineCommand<S extends ArgSpec, A>(def: CommandDef<S, A>): SpecCommand<A> {
  return {
    name: def.name,
    aliases: def.aliases,
    summary: def.summary,
    usage: usageLine(def.name, def.spec),
    help: helpText(def.name, def.summary, def.spec, scopeNote(def.name, def.scopes)),
    scopes: def.scopes,
    spec: def.spec,
    splitChat: def.splitChat,
    parse: (argv) => def.build(parseWith(def.name, def.spec, argv), argv),
    run: (args, ctx) => def.run(args, ctx),
    async complete(words, ctx) {
      const custom = await def.completeValue?.(words, ctx);
      return custom ?? completeFromSpec(def.spec, words, ctx);
    },
  };
}

/** A status line: stderr in the CLI, a dim line in the chat. */
export function info(ctx: CommandContext, text: string): void {
  if (ctx.out.info) ctx.out.info(text);
  else ctx.out.line(text);
}

/** The chat session, for chat-only commands (the dispatcher already refuses them in the CLI). */
export function requireChat(ctx: CommandContext, command: string): NonNullable<CommandContext['chat']> {
  if (!ctx.chat) throw new CommandError(`${command} works only in the chat (run inkling with no command)`);
  return ctx.chat;
}
