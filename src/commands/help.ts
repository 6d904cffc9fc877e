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
      const lines =
        scope === 'chat'
          ? ['Type a prompt to get a reply from the current model, or a command:', ...commandList('chat'), '/help COMMAND shows its flags.']
          : ['usage: inkling <command> [flags]   (no command: open the chat)', '', 'commands:', ...commandList('cli'), '', 'inkling help COMMAND or inkling COMMAND --help shows its flags.'];
      ctx.out.line(lines.join('\n'));
      return;
    }
    ctx.out.line(findCommand(name)!.help);
  },
  completeValue: (words, ctx) =>
    words.length === 1 ? commandsFor(ctx.chat ? 'chat' : 'cli').map((c) => c.name).filter((n) => n.startsWith(words[0]!.replace(/^\//, ''))) : [],
});
