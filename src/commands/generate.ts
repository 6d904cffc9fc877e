// generate: stream a continuation of a prompt from a model to stdout (CLI; in the chat, type a prompt).
import { defineCommand, info } from './define.js';
import { loadModelByName } from './model-lookup.js';
import { formatCount } from './format.js';
import { SAMPLING_OPTIONS } from './sampling.js';
import type { SampleOptions } from '../engine/types.js';

const spec = {
  options: {
    model: { type: 'string', required: true, arg: 'NAME', values: 'model', description: 'the model (inkling models lists them)' },
    prompt: { type: 'string', required: true, arg: 'TEXT', description: 'the text to continue' },
    ...SAMPLING_OPTIONS,
    stop: { type: 'string', multiple: true, arg: 'STR', description: 'stop before this text appears' },
    'only-new': { type: 'boolean', description: 'print only the continuation, not the prompt' },
  },
  examples: [
    'inkling generate --model s1 --prompt "ROMEO:" --seed 1',
    'inkling generate --model s1 --prompt "To be" --temperature 0 --max-tokens 100',
    'inkling generate --model s1 --prompt "KING:" --top-k 40 --stop "\\n\\n"',
  ],
} as const;

export const GENERATE_DEFAULTS = { maxTokens: 200, temperature: 0.8, topK: 0, topP: 1 } as const;

export interface GenerateArgs {
  model: string;
  prompt: string;
  options: SampleOptions;
  onlyNew: boolean;
}

/** `--stop '\n'` means a newline: the shell passes backslash escapes through literally. */
function unescape(text: string): string {
  return text.replace(/\\(n|t|r|\\)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r', '\\': '\\' })[c]!);
}

export const generateCommand = defineCommand({
  name: 'generate',
  summary: 'stream a continuation of a prompt to stdout',
  scopes: ['cli'],
  spec,
  build: ({ options: o }): GenerateArgs => ({
    model: o.model!,
    prompt: o.prompt!,
    onlyNew: o['only-new'] ?? false,
    options: {
      maxTokens: o['max-tokens'] ?? GENERATE_DEFAULTS.maxTokens,
      temperature: o.temperature ?? GENERATE_DEFAULTS.temperature,
      topK: o['top-k'] ?? GENERATE_DEFAULTS.topK,
      topP: o['top-p'] ?? GENERATE_DEFAULTS.topP,
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
      ...(o.stop ? { stop: o.stop.map(unescape) } : {}),
    },
  }),
  async run({ model, prompt, options, onlyNew }, ctx) {
    const loaded = await loadModelByName(ctx, model);
    try {
      const { generate } = await import('../engine/sample.js');
      if (!onlyNew) ctx.out.write(prompt);
      const result = await generate(loaded, prompt, options, (delta) => ctx.out.write(delta), ctx.signal);
      ctx.out.write('\n');
      if (result.unknownPromptPieces > 0) {
        const fate = loaded.tokenizer.unkId === null ? 'dropped' : 'read as <unk>';
        info(ctx, `warning: ${result.unknownPromptPieces} piece(s) of the prompt are not in ${loaded.name}'s vocabulary and were ${fate}`);
      }
      if (result.droppedPromptTokens) {
        info(ctx, `warning: the prompt is long: only its last part was used (${formatCount(result.droppedPromptTokens)} tokens before it left out)`);
      }
      const why = { 'max-tokens': 'max tokens', stop: 'stop text', abort: 'interrupted' }[result.stoppedBy];
      info(ctx, `${formatCount(result.tokens)} tokens  ${formatCount(result.tokensPerSec)} tok/s  first token ${formatCount(result.msToFirstToken)} ms  (${why})`);
    } finally {
      loaded.dispose();
    }
  },
});
