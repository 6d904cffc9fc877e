// import DIR: a local Hugging Face folder (GPT-2, Llama, Qwen2) (what huggingface-cli download or a git clone gives) becomes a model.
import path from 'node:path';
import { defineCommand } from './define.js';
import { runDownload, startInChat } from './hf-download.js';
import type { DownloadRequest } from './types.js';

export const importCommand = defineCommand({
  name: 'import',
  summary: 'make a model from a local Hugging Face folder: GPT-2, Llama or Qwen2 (config.json, model.safetensors, tokenizer files)',
  scopes: ['cli', 'chat'],
  spec: {
    options: { name: { type: 'string', arg: 'NAME', description: 'name of the new model (default: the folder name)' } },
    positionals: [{ name: 'DIR', description: 'the Hugging Face model folder', required: true }],
    examples: ['inkling import ./gpt2 --name gpt2', 'inkling import test/fixtures/hf/tiny-gpt2', '/import ./gpt2'],
  },
  build: ({ positionals: [dir], options: o }): DownloadRequest => ({ kind: 'import', dir: path.resolve(dir!), ...(o.name !== undefined ? { name: o.name as string } : {}) }),
  async run(request, ctx) {
    if (ctx.chat) return startInChat(request, ctx.chat, ctx);
    await ctx.prepareEngine?.();
    ctx.out.line(await runDownload(request, { modelsDir: ctx.modelsDir, chat: false }));
  },
});
