// import DIR: a local Hugging Face folder (GPT-2, Llama, Qwen2) (what huggingface-cli download or a git clone gives) becomes a model.
import path from 'node:path';
import { defineCommand } from './define.js';
import { formatParams } from './format.js';
import { firstLine } from '../engine/first-line.js';
import { CommandError } from './types.js';

export const importCommand = defineCommand({
  name: 'import',
  summary: 'make a model from a local Hugging Face folder: GPT-2, Llama or Qwen2 (config.json, model.safetensors, tokenizer files)',
  scopes: ['cli', 'chat'],
  spec: {
    options: { name: { type: 'string', arg: 'NAME', description: 'name of the new model (default: the folder name)' } },
    positionals: [{ name: 'DIR', description: 'the Hugging Face model folder', required: true }],
    examples: ['inkling import ./gpt2 --name gpt2', 'inkling import test/fixtures/hf/tiny-gpt2', '/import ./gpt2'],
  },
  build: ({ positionals: [dir], options: o }) => ({ dir: path.resolve(dir!), name: o.name as string | undefined }),
  async run({ dir, name }, ctx) {
    await ctx.prepareEngine?.();
    const { importHfModel } = await import('../engine/store/hf-import.js');
    try {
      const result = await importHfModel({ dir, modelsDir: ctx.modelsDir, name, command: `inkling import ${dir}${name ? ` --name ${name}` : ''}` });
      ctx.out.line(`imported ${result.name} (${result.describe}, ${formatParams(result.params)} parameters): ${ctx.chat ? `/use ${result.name} to chat with it` : `inkling generate --model ${result.name}, or finetune --from ${result.name}`}`);
    } catch (error) {
      throw new CommandError(`cannot import ${dir}: ${firstLine(error)}`);
    }
  },
});
