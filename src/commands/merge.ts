// merge VARIANT --name NEW: fold a LoRA variant's adapters into full weights, as a new model.
import { defineCommand } from './define.js';
import { findModelDir } from './model-lookup.js';
import { formatParams } from './format.js';
import { firstLine } from '../engine/first-line.js';
import { CommandError } from './types.js';

export const mergeCommand = defineCommand({
  name: 'merge',
  summary: 'fold a LoRA variant\'s adapters into its base\'s weights, as a new full model',
  scopes: ['cli'],
  spec: {
    options: { name: { type: 'string', required: true, arg: 'NEW', description: 'name of the merged model' } },
    positionals: [{ name: 'VARIANT', description: 'a LoRA variant (finetune --lora)', required: true, values: 'model' }],
    examples: ['inkling merge gpt2-bard --name gpt2-bard-full'],
  },
  build: ({ positionals: [variant], options: o }) => ({ variant: variant!, name: o.name! }),
  async run({ variant, name }, ctx) {
    if (variant === name) throw new CommandError('--name must differ from the variant: the merged model is a new model');
    await ctx.prepareEngine?.();
    const dir = await findModelDir(ctx, variant);
    const { mergeToModel } = await import('../engine/store/merge-model.js');
    try {
      const result = await mergeToModel(dir, ctx.modelsDir, name, `inkling merge ${variant} --name ${name}`);
      ctx.out.line(`saved ${result.name}: ${variant}'s adapters merged into full weights (${formatParams(result.params)} parameters)`);
    } catch (error) {
      throw new CommandError(`cannot merge ${variant}: ${firstLine(error)}`);
    }
  },
});
