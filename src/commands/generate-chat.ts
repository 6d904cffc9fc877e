// `generate --chat`: one answer from an instruct model, through its own chat template.
import { UsageError } from './args.js';
import { info } from './define.js';
import { formatCount } from './format.js';
import { loadModelByName } from './model-lookup.js';
import type { CommandContext } from './types.js';
import type { SampleOptions } from '../engine/types.js';

export async function answerOne(ctx: CommandContext, model: string, chat: { message: string; system: string | null }, options: SampleOptions): Promise<void> {
  const loaded = await loadModelByName(ctx, model);
  try {
    const { instructOf, reply, withSystem } = await import('../engine/chat/instruct.js');
    const instruct = instructOf(loaded.tokenizer);
    if (!instruct) throw new UsageError(`${loaded.name} is a base model (no chat template): give it --prompt TEXT to continue`);
    const messages = withSystem(chat.system, [{ role: 'user', content: chat.message }]);
    const result = await reply(loaded, instruct, messages, options, (delta) => ctx.out.write(delta), ctx.signal);
    ctx.out.write('\n');
    const why = { 'max-tokens': 'max tokens', stop: 'stop text', abort: 'interrupted', eos: 'end of turn' }[result.stoppedBy];
    info(ctx, `${formatCount(result.tokens)} tokens  ${formatCount(result.tokensPerSec)} tok/s  first token ${formatCount(result.msToFirstToken)} ms  (${why})`);
  } finally {
    loaded.dispose();
  }
}
