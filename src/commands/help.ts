// help [command]: the command list, or one command's usage, flags and examples.
import { quote, suggest } from './args.js';
import { defineCommand } from './define.js';
import { allCommands, commandsFor, findCommand } from './index.js';
import type { Scope } from './types.js';
import { CommandError } from './types.js';

/** The commands of a scope, one per line with their summaries. */
export function commandList(scope: Scope): string[] {
  const prefix = scope === 'chat' ? '/' : '';
  const rows = commandsFor(scope).map((c) => {
    const aliases = c.aliases?.length ? ` (also ${c.aliases.map((a) => prefix + a).join(', ')})` : '';
    return [`${prefix}${c.name}`, c.summary + aliases] as const;
  });
  const width = Math.max(...rows.map(([n]) => n.length));
  return rows.map(([n, s]) => `  ${n.padEnd(width)}  ${s}`);
}

/** The keys of the chat's input box. */
export const CHAT_KEYS = [
  'Keys:',
  '  Enter       send (sent while a reply streams, it waits as "queued ›" and goes next)',
  '  Alt-Enter   a new line in the prompt (a paste keeps its lines)',
  '  Esc         stop the reply',
  '  Up/Down     earlier inputs',
  '  Tab         complete a command, flag or name',
  '  Ctrl-C      stop the reply, or clear the line; twice quits',
  '  Ctrl-D      quit, on an empty line',
  'Quitting (/quit, /bye, Ctrl-C twice, Ctrl-D) saves the conversation in the config folder, under conversations/.',
];

/** `/help` in the chat: the commands, then the keys. */
export function chatHelp(): string {
  return ['Type a prompt to get a reply from the current model, or a command:', ...commandList('chat'), '/help COMMAND shows its flags.', '', ...CHAT_KEYS].join('\n');
}

export const helpCommand = defineCommand({
  name: 'help',
  aliases: ['?'],
  summary: 'list the commands, or show how to use one',
  scopes: ['cli', 'chat'],
  spec: {
    options: {},
    positionals: [{ name: 'COMMAND', description: 'a command name' }],
    examples: ['help train', '/help set'],
  },
  build({ positionals: [typed] }) {
    if (typed === undefined) return { name: null };
    const name = typed.replace(/^\//, '');
    if (!findCommand(name)) {
      const near = suggest(name, allCommands().map((c) => c.name));
      throw new CommandError(`no command ${quote(name)}` + (near ? ` (did you mean ${near}?)` : '') + ' — help lists commands');
    }
    return { name };
  },
  async run({ name }, ctx) {
    const scope: Scope = ctx.chat ? 'chat' : 'cli';
    if (name === null) {
      const cli = ['usage: inkling <command> [flags]   (no command: open the chat)', '', 'commands:', ...commandList('cli'), '', 'inkling help COMMAND or inkling COMMAND --help shows its flags.'];
      ctx.out.line(scope === 'chat' ? chatHelp() : cli.join('\n'));
      return;
    }
    ctx.out.line(findCommand(name)!.help);
  },
  completeValue: (words, ctx) =>
    words.length === 1 ? commandsFor(ctx.chat ? 'chat' : 'cli').map((c) => c.name).filter((n) => n.startsWith(words[0]!.replace(/^\//, ''))) : [],
});
