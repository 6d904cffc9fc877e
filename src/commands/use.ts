// /use NAME: switch the model replies come from, mid-conversation.
import { defineCommand, requireChat } from './define.js';
import { formatParams } from './format.js';

export const useCommand = defineCommand({
  name: 'use',
  summary: 'switch to another model; the next reply comes from it',
  scopes: ['chat'],
  spec: {
    options: {},
    positionals: [{ name: 'NAME', description: 'a model name (a training run loads its latest checkpoint)', required: true, values: 'model' }],
    examples: ['/use s1', '/use s1-poems'],
  },
  build: ({ positionals: [name] }) => ({ name: name! }),
  async run({ name }, ctx) {
    const chat = requireChat(ctx, 'use');
    await chat.use(name);
    const model = chat.model;
    if (model) ctx.out.line(`now using ${model.name} (${model.manifest.arch}, ${formatParams(model.manifest.params)} params)`);
    if (model?.manifest.task === 'classify') {
      ctx.out.line(`classification mode: each input gets ${model.name}'s label probabilities (labels: ${model.manifest.classify?.labels.join(', ')})`);
    }
  },
});
