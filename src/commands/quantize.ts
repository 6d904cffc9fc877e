// quantize NAME --name NEW: int8 weights for faster decoding, as a variant of NAME (inference only).
import { defineCommand } from './define.js';
import { findModelDir } from './model-lookup.js';
import { formatBytes } from './format.js';
import { firstLine } from '../engine/first-line.js';
import { CommandError } from './types.js';

export const quantizeCommand = defineCommand({
  name: 'quantize',
  summary: 'make an int8 (q8) variant of a Llama-family model: a quarter of the weight bytes, faster decoding, inference only',
  scopes: ['cli'],
  spec: {
    options: { name: { type: 'string', required: true, arg: 'NEW', description: 'name of the q8 model' } },
    positionals: [{ name: 'NAME', description: 'the float32 model (inkling models lists them)', required: true, values: 'model' }],
    examples: ['inkling quantize smollm2-instruct --name smollm2-instruct-q8'],
  },
  build: ({ positionals: [name], options: o }) => ({ source: name!, name: o.name! }),
  async run({ source, name }, ctx) {
    await ctx.prepareEngine?.();
    const dir = await findModelDir(ctx, source);
    const { quantizeToVariant } = await import('../engine/store/quantize-model.js');
    try {
      const result = await quantizeToVariant(dir, ctx.modelsDir, name, `inkling quantize ${source} --name ${name}`);
      ctx.out.line(`saved ${result.name}, q8 of ${source}: weights ${formatBytes(result.bytes.before)} -> ${formatBytes(result.bytes.after)} (decoding needs the wasm backend)`);
    } catch (error) {
      throw new CommandError(`cannot quantize ${source}: ${firstLine(error)}`);
    }
  },
});
