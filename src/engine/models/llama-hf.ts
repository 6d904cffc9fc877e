// Hugging Face's config.json and weight names for LlamaForCausalLM and Qwen2ForCausalLM, mapped to LlamaModel.
import type { LlamaConfig } from './llama.js';
import { type HfWeightSource, registerHfFamily } from './hf-families.js';
import { parseRopeScaling } from './rope.js';

function positiveInt(json: Record<string, unknown>, key: string, fallback?: number): number {
  const v = json[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new Error(`config.json: ${key} must be a positive whole number`);
  return v;
}

function positive(json: Record<string, unknown>, key: string, fallback: number): number {
  const v = json[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new Error(`config.json: ${key} must be a positive number`);
  return v;
}

/** LlamaConfig from a parsed config.json; an unsupported option gets one line naming it. */
export function llamaConfigFromHf(json: Record<string, unknown>): LlamaConfig {
  const arch = Array.isArray(json.architectures) ? String(json.architectures[0]) : String(json.model_type);
  const qwen = arch === 'Qwen2ForCausalLM' || json.model_type === 'qwen2';
  if (!qwen && arch !== 'LlamaForCausalLM' && json.model_type !== 'llama') throw new Error(`architecture ${arch} is not a Llama-family model`);
  const act = json.hidden_act ?? 'silu';
  if (act !== 'silu') throw new Error(`config.json: hidden_act "${String(act)}" is not supported (only silu)`);
  if (json.mlp_bias === true) throw new Error('config.json: mlp_bias is not supported');
  if (qwen && json.use_sliding_window === true) throw new Error('config.json: use_sliding_window is not supported');
  const embedding = positiveInt(json, 'hidden_size');
  const heads = positiveInt(json, 'num_attention_heads');
  const kvHeads = positiveInt(json, 'num_key_value_heads', heads);
  if (heads % kvHeads !== 0) throw new Error(`config.json: num_attention_heads ${heads} is not a multiple of num_key_value_heads ${kvHeads}`);
  const attentionBias = json.attention_bias === true;
  return {
    arch: 'llama',
    vocabSize: positiveInt(json, 'vocab_size'),
    contextLength: positiveInt(json, 'max_position_embeddings'),
    layers: positiveInt(json, 'num_hidden_layers'),
    embedding,
    heads,
    kvHeads,
    headDim: positiveInt(json, 'head_dim', embedding / heads),
    intermediate: positiveInt(json, 'intermediate_size'),
    rmsEps: positive(json, 'rms_norm_eps', 1e-6),
    ropeTheta: positive(json, 'rope_theta', 10000),
    ropeScaling: parseRopeScaling(json.rope_scaling),
    tiedEmbeddings: json.tie_word_embeddings === true, // LlamaConfig and Qwen2Config both default to untied
    qkvBias: qwen || attentionBias,
    outputBias: !qwen && attentionBias,
    dropout: 0,
  };
}

/** Each of LlamaModel's weights and its HF key, in the model's weight order. */
export function llamaHfWeights(c: LlamaConfig): HfWeightSource[] {
  const out: HfWeightSource[] = [{ name: 'embedding/token', key: 'model.embed_tokens.weight', transpose: false }];
  for (let i = 0; i < c.layers; i++) {
    const p = `block${i}`;
    const hf = `model.layers.${i}`;
    out.push({ name: `${p}/norm1/gamma`, key: `${hf}.input_layernorm.weight`, transpose: false });
    for (const m of ['q', 'k', 'v', 'o'] as const) {
      out.push({ name: `${p}/attn/${m}/kernel`, key: `${hf}.self_attn.${m}_proj.weight`, transpose: true });
      const biased = m === 'o' ? c.outputBias : c.qkvBias;
      if (biased) out.push({ name: `${p}/attn/${m}/bias`, key: `${hf}.self_attn.${m}_proj.bias`, transpose: false });
    }
    out.push({ name: `${p}/norm2/gamma`, key: `${hf}.post_attention_layernorm.weight`, transpose: false });
    for (const m of ['gate', 'up', 'down'] as const) {
      out.push({ name: `${p}/mlp/${m}/kernel`, key: `${hf}.mlp.${m}_proj.weight`, transpose: true });
    }
  }
  out.push({ name: 'head/norm/gamma', key: 'model.norm.weight', transpose: false });
  if (!c.tiedEmbeddings) out.push({ name: 'head/kernel', key: 'lm_head.weight', transpose: true });
  return out;
}

registerHfFamily({
  architectures: ['LlamaForCausalLM', 'Qwen2ForCausalLM'],
  modelTypes: ['llama', 'qwen2'],
  parseConfig: (raw) => llamaConfigFromHf(raw),
  weightSources: (config) => llamaHfWeights(config as LlamaConfig),
});
