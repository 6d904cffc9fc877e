// /save FILE: the transcript as Markdown.
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { quote } from './args.js';
import { defineCommand, requireChat } from './define.js';
import { firstLine } from '../engine/first-line.js';
import { CommandError } from './types.js';

function expandHome(file: string): string {
  return file === '~' || file.startsWith('~/') ? path.join(process.env.HOME ?? '~', file.slice(1)) : file;
}

export const saveCommand = defineCommand({
  name: 'save',
  summary: 'save the conversation as Markdown',
  scopes: ['chat'],
  spec: {
    options: { force: { type: 'boolean', description: 'overwrite FILE if it exists' } },
    positionals: [{ name: 'FILE', description: 'where to write (.md is added when there is no extension)', required: true }],
    examples: ['/save chat.md', '/save ~/notes/romeo --force'],
  },
  build({ positionals: [file], options }) {
    if (file!.trim() === '' || file!.includes('\0')) throw new CommandError(`bad file name ${quote(file!)}`);
    if (/[\\/]$/.test(file!)) throw new CommandError(`${file} is a folder: give a file name`);
    return { file: path.resolve(expandHome(file!)), force: options.force ?? false };
  },
  async run({ file: given, force }, ctx) {
    const chat = requireChat(ctx, 'save');
    if ((await stat(given).catch(() => null))?.isDirectory()) throw new CommandError(`${given} is a folder: give a file name`);
    const file = path.extname(given) === '' ? `${given}.md` : given;
    const existing = await stat(file).catch(() => null);
    if (existing?.isDirectory()) throw new CommandError(`${file} is a folder: give a file name`);
    if (existing && !force) throw new CommandError(`${file} exists: add --force to overwrite it`);
    const dir = await stat(path.dirname(file)).catch(() => null);
    if (!dir?.isDirectory()) throw new CommandError(`no folder ${path.dirname(file)}: create it first`);
    try {
      await writeFile(file, chat.transcriptMarkdown(), 'utf8');
    } catch (error) {
      throw new CommandError(`cannot write ${file}: ${firstLine(error)}`);
    }
    ctx.out.line(`saved the conversation to ${file}`);
  },
});
