// A Hugging Face GPT-2 config.json -> Inkling's Gpt2Config, refusing (in one line naming it) any architecture
// or option the gpt2 model does not implement exactly, so an import never loads into wrong numbers.
import { hfArchitectureName, registerHfFamily } from './hf-families.js';

export interface Gpt2Config {
  arch: 'gpt2';
  vocabSize: number;
  /** n_positions: the learned position table, so the window. */
  contextLength: number;
  layers: number;
  heads: number;
  embedding: number;
  /** The MLP's hidden size (n_inner, 4 x embedding when null). */
  inner: number;
  layerNormEpsilon: number;
  /** Used when fine-tuning (resid_pdrop of the original config). */
  dropout: number;
}

export function gpt2ParameterCount(c: Omit<Gpt2Config, 'arch'>): number {
  const d = c.embedding;
  const block = 4 * d + (d * 3 * d + 3 * d) + (d * d + d) + (d * c.inner + c.inner) + (c.inner * d + d);
  return c.vocabSize * d + c.contextLength * d + c.layers * block + 2 * d;
}

/** Activations that are the tanh approximation of GELU, which the model computes (gelu_new is GPT-2's). */
const TANH_GELU = new Set(['gelu_new', 'gelu_pytorch_tanh', 'gelu_fast']);

function fail(why: string): never {
  throw new Error(`config.json: ${why}`);
}

function whole(raw: Record<string, unknown>, key: string, fallback?: number): number {
  const v = raw[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) fail(`${key} must be a whole number above 0, got ${JSON.stringify(v)}`);
  return v;
}

export function isGpt2Config(raw: Record<string, unknown>): boolean {
  const list = Array.isArray(raw.architectures) ? raw.architectures : [];
  return list.includes('GPT2LMHeadModel') || (list.length === 0 && raw.model_type === 'gpt2');
}

export function parseGpt2Config(raw: Record<string, unknown>): Gpt2Config {
  if (!isGpt2Config(raw)) fail(`architecture ${hfArchitectureName(raw)} is not supported (Inkling reads GPT2LMHeadModel)`);
  const embedding = whole(raw, 'n_embd');
  const heads = whole(raw, 'n_head');
  if (embedding % heads !== 0) fail(`n_embd ${embedding} is not a multiple of n_head ${heads}`);
  const activation = raw.activation_function ?? 'gelu_new';
  if (typeof activation !== 'string' || !TANH_GELU.has(activation)) {
    fail(`activation_function ${JSON.stringify(activation)} is not supported (gelu_new, gelu_pytorch_tanh and gelu_fast are)`);
  }
  if (raw.scale_attn_by_inverse_layer_idx === true) fail('scale_attn_by_inverse_layer_idx is not supported');
  if (raw.scale_attn_weights === false) fail('scale_attn_weights false is not supported');
  if (raw.add_cross_attention === true) fail('add_cross_attention is not supported');
  const eps = raw.layer_norm_epsilon ?? 1e-5;
  if (typeof eps !== 'number' || !(eps > 0 && eps < 1)) fail(`layer_norm_epsilon must be a small number above 0, got ${JSON.stringify(eps)}`);
  const inner = raw.n_inner === null || raw.n_inner === undefined ? 4 * embedding : whole(raw, 'n_inner');
  const dropout = typeof raw.resid_pdrop === 'number' && raw.resid_pdrop >= 0 && raw.resid_pdrop < 1 ? raw.resid_pdrop : 0.1;
  return {
    arch: 'gpt2',
    vocabSize: whole(raw, 'vocab_size'),
    contextLength: whole(raw, 'n_positions', raw.n_ctx as number | undefined),
    layers: whole(raw, 'n_layer'),
    heads,
    embedding,
    inner,
    layerNormEpsilon: eps,
    dropout,
  };
}

/** A config.json transformers reads as GPT2LMHeadModel (export); `original` (an import's) is kept where given. */
export function toHfGpt2Config(c: Gpt2Config, original: Record<string, unknown> = {}, eos?: number): Record<string, unknown> {
  return {
    ...original,
    activation_function: typeof original.activation_function === 'string' ? original.activation_function : 'gelu_new',
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    vocab_size: c.vocabSize,
    n_positions: c.contextLength,
    n_ctx: c.contextLength,
    n_embd: c.embedding,
    n_layer: c.layers,
    n_head: c.heads,
    n_inner: c.inner === 4 * c.embedding ? null : c.inner,
    layer_norm_epsilon: c.layerNormEpsilon,
    resid_pdrop: c.dropout,
    tie_word_embeddings: true,
    ...(eos !== undefined ? { bos_token_id: original.bos_token_id ?? eos, eos_token_id: eos } : {}),
    torch_dtype: 'float32',
  };
}

registerHfFamily({ architectures: ['GPT2LMHeadModel'], modelTypes: ['gpt2'], parseConfig: (raw) => parseGpt2Config(raw) });
