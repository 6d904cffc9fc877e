// /set NAME VALUE, and its shortcuts /temp /topk /topp /max /seed.
import { defineCommand, requireChat, type SpecCommand } from './define.js';
import { describeSettings, parseSetting, settingName, showSetting, SETTING_NAMES, type SettingChange, type SettingName } from './sampling.js';
import type { CommandContext } from './types.js';

type SetArgs = { name: SettingName; raw: string } | { name: SettingName; raw: null } | null;

function apply(ctx: CommandContext, name: SettingName, change: SettingChange): void {
  const chat = requireChat(ctx, 'set');
  chat.setSetting(change.key, change.value);
  ctx.out.line(`${name} = ${showSetting(chat.settings, name)}`);
}

function runSet(args: SetArgs, ctx: CommandContext): Promise<void> {
  const chat = requireChat(ctx, 'set');
  if (args === null) ctx.out.line(describeSettings(chat.settings));
  else if (args.raw === null) ctx.out.line(`${args.name} = ${showSetting(chat.settings, args.name)}`);
  else apply(ctx, args.name, parseSetting(args.name, args.raw));
  return Promise.resolve();
}

export const setCommand = defineCommand({
  name: 'set',
  summary: 'change a sampling setting; with no value, show it',
  scopes: ['chat'],
  spec: {
    options: {},
    positionals: [
      { name: 'SETTING', description: `one of ${SETTING_NAMES.join(', ')}`, values: 'setting' },
      { name: 'VALUE', description: 'the new value (seed: a number or "random"; context: on|off)' },
    ],
    examples: ['/set temperature 0.7', '/set top-k 40', '/set seed random', '/temp 0', '/topp 0.9'],
  },
  build({ positionals: [name, raw] }): SetArgs {
    if (name === undefined) return null;
    const setting = settingName(name);
    // Validate now so a bad value is a usage error before anything changes.
    if (raw !== undefined) parseSetting(setting, raw);
    return { name: setting, raw: raw ?? null };
  },
  run: runSet,
  completeValue(words) {
    if (words.length === 1) return SETTING_NAMES.filter((n) => n.startsWith(words[0]!));
    if (words.length === 2 && words[0] === 'context') return ['on', 'off'].filter((v) => v.startsWith(words[1]!));
    if (words.length === 2 && words[0] === 'seed') return ['random'].filter((v) => v.startsWith(words[1]!));
    return [];
  },
});

/** `/temp 0.7` is `/set temperature 0.7`. */
function shortcut(name: string, setting: SettingName, example: string): SpecCommand<SetArgs> {
  return defineCommand({
    name,
    summary: `set ${setting} (same as /set ${setting} VALUE)`,
    scopes: ['chat'],
    spec: {
      options: {},
      positionals: [{ name: 'VALUE', description: `the new ${setting}; with none, show it` }],
      examples: [example],
    },
    build({ positionals: [raw] }): SetArgs {
      if (raw !== undefined) parseSetting(setting, raw);
      return { name: setting, raw: raw ?? null };
    },
    run: runSet,
    completeValue: (words) => (setting === 'seed' && words.length === 1 ? ['random'].filter((v) => v.startsWith(words[0]!)) : []),
  });
}

export const settingShortcuts = [
  shortcut('temp', 'temperature', '/temp 0.7'),
  shortcut('topk', 'top-k', '/topk 40'),
  shortcut('topp', 'top-p', '/topp 0.9'),
  shortcut('max', 'max-tokens', '/max 200'),
  shortcut('seed', 'seed', '/seed 1   /seed random'),
];
