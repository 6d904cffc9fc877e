// generate: stream a continuation of a prompt from a model to stdout (CLI; in the chat, type a prompt).
import { UsageError, usageLine } from './args.js';
import { defineCommand, info } from './define.js';
import { loadModelByName } from './model-lookup.js';
import { formatCount } from './format.js';
import { SAMPLING_OPTIONS } from './sampling.js';
import type { CommandContext } from './types.js';
import type { SampleOptions, TokenCandidate, TokenProbs } from '../engine/types.js';
import { answerOne } from './generate-chat.js';

const spec = {
  options: {
    model: { type: 'string', required: true, arg: 'NAME', values: 'model', description: 'the model (inkling models lists them)' },
    prompt: { type: 'string', arg: 'TEXT', description: 'the text to continue; - reads it from stdin, as does a pipe when --prompt is left out' },
    chat: { type: 'string', arg: 'TEXT', description: "answer one message through an instruct model's chat template (- reads stdin)" },
    system: { type: 'string', arg: 'TEXT', description: 'the system prompt for --chat' },
    ...SAMPLING_OPTIONS,
    stop: { type: 'string', multiple: true, arg: 'STR', description: 'stop before this text appears' },
    'only-new': { type: 'boolean', description: 'print only the continuation, not the prompt' },
    'ignore-eos': { type: 'boolean', description: "keep going past a pretrained model's end-of-text token" },
    logprobs: {
      type: 'integer', min: 0, max: 100, arg: 'N',
      description: 'print one JSON line per token instead: its text, id, log-probability and the top N alternatives',
    },
  },
  examples: [
    'inkling generate --model s1 --prompt "ROMEO:" --seed 1',
    'inkling generate --model s1 --prompt "To be" --temperature 0 --max-tokens 100',
    'inkling generate --model s1 --prompt "KING:" --top-k 40 --stop "\\n\\n"',
    'inkling generate --model s1 --prompt "The" --max-tokens 5 --logprobs 3',
    'echo "The sea was calm" | inkling generate --model gutenberg-gpt',
    'inkling generate --model smollm2-instruct --chat "What is the capital of France?" --system "Be brief."',
  ],
} as const;

export const GENERATE_DEFAULTS = { maxTokens: 200, temperature: 0.8, topK: 0, topP: 1 } as const;

export interface GenerateArgs {
  model: string;
  /** The text, `-` for stdin, or undefined: stdin when it is a pipe, else a usage error. */
  prompt: string | undefined;
  options: SampleOptions;
  onlyNew: boolean;
  /** Top alternatives per token in JSON lines, or null for plain text. */
  logprobs: number | null;
  /** --chat: one user message for an instruct model (then `prompt` is unused), with --system. */
  chat?: { message: string; system: string | null };
}

/** `--stop '\n'` means a newline: the shell passes backslash escapes through literally. */
function unescape(text: string): string {
  return text.replace(/\\(n|t|r|\\)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r', '\\': '\\' })[c]!);
}

/** The prompt from --prompt, or from stdin for `--prompt -` or a pipe; one trailing newline (echo's) is dropped. */
async function resolvePrompt(given: string | undefined, ctx: CommandContext): Promise<string> {
  if (given !== undefined && given !== '-') return given;
  const stdin = ctx.stdin;
  if (!stdin || (given === undefined && stdin.isTTY)) {
    throw new UsageError(`--prompt is required (or pipe the prompt in) — usage: ${usageLine('generate', spec)}`);
  }
  if (stdin.isTTY) info(ctx, 'reading the prompt from stdin: end it with Ctrl-D');
  const text = (await stdin.read()).replace(/\r?\n$/, '');
  if (text.trim() === '') throw new UsageError('the prompt on stdin is empty: pipe some text in, or give --prompt TEXT');
  return text;
}

export const generateCommand = defineCommand({
  name: 'generate',
  summary: 'stream a continuation of a prompt to stdout',
  scopes: ['cli'],
  spec,
  build: ({ options: o }): GenerateArgs => ({
    model: o.model!,
    prompt: o.prompt,
    onlyNew: o['only-new'] ?? false,
    logprobs: o.logprobs ?? null,
    ...(o.chat !== undefined ? { chat: { message: o.chat, system: o.system ?? null } } : {}),
    options: {
      maxTokens: o['max-tokens'] ?? GENERATE_DEFAULTS.maxTokens,
      temperature: o.temperature ?? GENERATE_DEFAULTS.temperature,
      topK: o['top-k'] ?? GENERATE_DEFAULTS.topK,
      topP: o['top-p'] ?? GENERATE_DEFAULTS.topP,
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
      ...(o.stop ? { stop: o.stop.map(unescape) } : {}),
      ...(o['ignore-eos'] ? { ignoreEos: true } : {}),
    },
  }),
  async run({ model, prompt: given, options, onlyNew, logprobs, chat }, ctx) {
    if (chat) return answerOne(ctx, model, { ...chat, message: await resolvePrompt(chat.message, ctx) }, options);
    const prompt = await resolvePrompt(given, ctx);
    const loaded = await loadModelByName(ctx, model);
    try {
      const { generate } = await import('../engine/sample.js');
      const asText = logprobs === null;
      if (asText && !onlyNew) ctx.out.write(prompt);
      const onText = asText ? (delta: string) => ctx.out.write(delta) : () => {};
      const result = await generate(loaded, prompt, options, onText, ctx.signal, asText ? undefined : { top: Math.max(1, logprobs) });
      if (asText) ctx.out.write('\n');
      // Printed from the result, not as they come: a stop string can cut the last token short.
      for (const token of result.tokenProbs ?? []) ctx.out.write(tokenJsonLine(token, logprobs!) + '\n');
      if (result.unknownPromptPieces > 0) {
        const fate = loaded.tokenizer.unkId === null ? 'dropped' : 'read as <unk>';
        info(ctx, `warning: ${result.unknownPromptPieces} piece(s) of the prompt are not in ${loaded.name}'s vocabulary and were ${fate}`);
      }
      if (result.droppedPromptTokens) {
        info(ctx, `warning: the prompt is long: only its last part was used (${formatCount(result.droppedPromptTokens)} tokens before it left out)`);
      }
      const why = { 'max-tokens': 'max tokens', stop: 'stop text', abort: 'interrupted', eos: 'end of text' }[result.stoppedBy];
      info(ctx, `${formatCount(result.tokens)} tokens  ${formatCount(result.tokensPerSec)} tok/s  first token ${formatCount(result.msToFirstToken)} ms  (${why})`);
    } finally {
      loaded.dispose();
    }
  },
});

/** Log-probabilities as the model gives them (temperature 1), rounded for reading. */
const round = (x: number) => (Number.isFinite(x) ? Math.round(x * 1e4) / 1e4 : null);
const alternative = (c: TokenCandidate) => ({ token: c.label, id: c.id, logprob: round(c.logprob) });

/** One token as a JSON line: `text` is what it added to the output, `token` the token on its own. */
export function tokenJsonLine(t: TokenProbs, top: number): string {
  return JSON.stringify({
    text: t.text,
    token: t.chosen.label,
    id: t.chosen.id,
    logprob: round(t.chosen.logprob),
    sampled: round(t.chosen.sampled),
    entropy: round(t.entropy),
    top: t.candidates.slice(0, top).map(alternative),
  });
}
