// /stop: stop the running training or fine-tuning after a save.
import { defineCommand, requireChat } from './define.js';

export const stopCommand = defineCommand({
  name: 'stop',
  summary: 'stop the running training or fine-tuning (it saves a checkpoint first)',
  scopes: ['chat'],
  spec: { options: {} },
  build: () => null,
  async run(_args, ctx) {
    const chat = requireChat(ctx, 'stop');
    const name = chat.training?.request.name;
    if (!chat.stopTraining()) ctx.out.line('no training is running');
    else ctx.out.line(`stopping ${name ?? 'training'}: saving a checkpoint first`);
  },
});
