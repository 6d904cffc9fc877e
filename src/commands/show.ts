// /show: the sampling settings, the current model and any running training.
import { defineCommand, requireChat } from './define.js';
import { formatCount, formatLoss, formatParams } from './format.js';
import { describeSettings } from './sampling.js';
import type { ChatSession } from './types.js';

async function modelLines(chat: ChatSession): Promise<string[]> {
  if (!chat.model) return ['model: none loaded — /models lists them, /use NAME loads one'];
  const m = chat.model.manifest;
  const c = m.config;
  // Loaded lazily: the families pull in tfjs, which the CLI does not need at start.
  const { describeShape } = await import('../engine/models/index.js');
  const shape = describeShape(c);
  return [
    `model: ${chat.model.name} (${m.arch}, ${formatParams(m.params)} params; ${shape})`,
    `  tokenizer ${m.tokenizer.kind} (${formatCount(m.tokenizer.vocabSize)} tokens)  corpus ${m.corpus.name}  step ${formatCount(m.step)}  best val ${formatLoss(m.bestValLoss)}` +
      (m.parent ? `  parent ${m.parent}` : ''),
    ...(m.lora ? [`  LoRA adapters on ${m.parent}: rank ${m.lora.rank}, alpha ${m.lora.alpha}, ${formatParams(m.lora.parameters)} trainable params (inkling merge folds them in)`] : []),
  ];
}

function trainingLine(chat: ChatSession): string | null {
  const t = chat.training;
  if (!t) return null;
  const last = t.last;
  const step = last && 'step' in last ? ` at step ${formatCount(last.step)}` : '';
  return `training: ${t.request.name} (${t.request.kind}) ${t.running ? 'running' : 'finished'}${step}`;
}

export const showCommand = defineCommand({
  name: 'show',
  summary: 'show the sampling settings and the current model',
  scopes: ['chat'],
  spec: { options: {} },
  build: () => null,
  async run(_args, ctx) {
    const chat = requireChat(ctx, 'show');
    const lines = [`settings: ${describeSettings(chat.settings)}`, ...(await modelLines(chat))];
    const training = trainingLine(chat);
    if (training) lines.push(training);
    if (chat.backendDetail) lines.push(chat.backendDetail);
    ctx.out.line(lines.join('\n'));
  },
});
