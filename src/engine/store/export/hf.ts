// A Hugging Face GPT2LMHeadModel folder: config.json, model.safetensors (F32, `transformer.`-prefixed keys and no
// lm_head, as save_pretrained writes a tied GPT-2), generation_config.json and the tokenizer files. Imported
// gpt2 models map one to one. Inkling's own gpt is GPT-2 without biases or LayerNorm shifts (nanoGPT's
// bias=False), same head-major qkv, tanh GELU, epsilon 1e-5 and tied head: it maps exactly with zero biases.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LoadedModel } from '../checkpoint.js';
import type { GptConfig, Manifest, TokenizerJSON } from '../../types.js';
import { toHfGpt2Config, type Gpt2Config } from '../../models/gpt2-config.js';
import { writeSafetensors, type WritableTensor } from '../safetensors.js';
import type { Exporter } from './index.js';

function refuse(manifest: Manifest): string | null {
  if (manifest.arch === 'gpt2') return null;
  if (manifest.arch === 'gpt') {
    return manifest.tokenizer.kind === 'word'
      ? 'hf export of a gpt model needs a char tokenizer: the word tokenizer splits text by rules Hugging Face tokenizers do not have'
      : null;
  }
  return `hf export writes GPT-2 (gpt2 and gpt models); ${manifest.arch} has no exact GPT2LMHeadModel layout`;
}

/** The GPT-2 config an Inkling gpt model is (zero biases and shifts stand for the ones it does not have). */
function gptAsGpt2(c: GptConfig): Gpt2Config {
  return { arch: 'gpt2', vocabSize: c.vocabSize, contextLength: c.contextLength, layers: c.layers, heads: c.heads, embedding: c.embedding, inner: 4 * c.embedding, layerNormEpsilon: 1e-5, dropout: c.dropout };
}

/** Tensors in the HF names, in file order, each read only when written. */
function tensors(loaded: LoadedModel): WritableTensor[] {
  const byName = new Map(loaded.model.weights.map((w) => [w.name, w.variable]));
  const from = (name: string) => {
    const v = byName.get(name);
    if (!v) throw new Error(`the model has no weight ${name}`);
    return { shape: [...v.shape], values: async () => (await v.data()) as Float32Array };
  };
  const zeros = (n: number) => ({ shape: [n], values: async () => new Float32Array(n) });
  const out: WritableTensor[] = [];
  const add = (name: string, t: { shape: number[]; values: () => Promise<Float32Array> }) => out.push({ name: `transformer.${name}`, ...t });
  if (loaded.manifest.arch === 'gpt2') {
    for (const w of loaded.model.weights) add(w.name, from(w.name));
    return out;
  }
  const c = loaded.manifest.config as GptConfig;
  const d = c.embedding;
  add('wte.weight', from('embedding/token'));
  add('wpe.weight', from('embedding/position'));
  for (let i = 0; i < c.layers; i++) {
    const p = `block${i}`;
    const h = `h.${i}`;
    add(`${h}.ln_1.weight`, from(`${p}/ln1/gamma`));
    add(`${h}.ln_1.bias`, zeros(d));
    add(`${h}.attn.c_attn.weight`, from(`${p}/attn/qkv/kernel`));
    add(`${h}.attn.c_attn.bias`, zeros(3 * d));
    add(`${h}.attn.c_proj.weight`, from(`${p}/attn/proj/kernel`));
    add(`${h}.attn.c_proj.bias`, zeros(d));
    add(`${h}.ln_2.weight`, from(`${p}/ln2/gamma`));
    add(`${h}.ln_2.bias`, zeros(d));
    add(`${h}.mlp.c_fc.weight`, from(`${p}/mlp/fc/kernel`));
    add(`${h}.mlp.c_fc.bias`, zeros(4 * d));
    add(`${h}.mlp.c_proj.weight`, from(`${p}/mlp/proj/kernel`));
    add(`${h}.mlp.c_proj.bias`, zeros(d));
  }
  add('ln_f.weight', from('head/ln/gamma'));
  add('ln_f.bias', zeros(d));
  return out;
}

/**
 * A char vocabulary as a tokenizer.json: BPE with no merges and no pre-tokenizer splits text into characters,
 * drops unknown ones (no unk token, as Inkling's char tokenizer does) and Fuse joins them back.
 */
function charTokenizerJson(vocab: readonly string[]): Record<string, unknown> {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [],
    normalizer: null,
    pre_tokenizer: null,
    post_processor: null,
    decoder: { type: 'Fuse' },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, vocab: Object.fromEntries(vocab.map((ch, i) => [ch, i])), merges: [] },
  };
}

/** vocab.json + merges.txt (GPT-2's slow tokenizer files) from a byte-level BPE tokenizer.json. */
function slowFiles(tokenizer: Record<string, unknown>): Record<string, string> | null {
  const model = tokenizer.model as { type?: string; vocab?: Record<string, number>; merges?: (string | [string, string])[] } | undefined;
  if (model?.type !== 'BPE' || !model.vocab || !Array.isArray(model.merges)) return null;
  const vocab: Record<string, number> = { ...model.vocab };
  for (const t of (tokenizer.added_tokens as { id: number; content: string }[] | undefined) ?? []) vocab[t.content] = t.id;
  const merges = model.merges.map((m) => (Array.isArray(m) ? m.join(' ') : m));
  return { 'vocab.json': JSON.stringify(vocab), 'merges.txt': ['#version: 0.2', ...merges].join('\n') + '\n' };
}

async function write(loaded: LoadedModel, dir: string): Promise<string[]> {
  const { manifest } = loaded;
  const config = manifest.arch === 'gpt2' ? (manifest.config as Gpt2Config) : gptAsGpt2(manifest.config as GptConfig);
  const json = loaded.tokenizer.toJSON() as TokenizerJSON;
  const files: Record<string, string> = {};
  const eos = loaded.tokenizer.eosIds?.[0];
  if (json.kind === 'bpe') {
    const o = json.options as { tokenizer: Record<string, unknown>; config: Record<string, unknown> };
    files['tokenizer.json'] = JSON.stringify(o.tokenizer);
    files['tokenizer_config.json'] = JSON.stringify({ tokenizer_class: 'GPT2Tokenizer', model_max_length: config.contextLength, ...o.config }, null, 2);
    Object.assign(files, slowFiles(o.tokenizer) ?? {});
  } else {
    files['tokenizer.json'] = JSON.stringify(charTokenizerJson(json.vocab));
    files['tokenizer_config.json'] = JSON.stringify({ tokenizer_class: 'PreTrainedTokenizerFast', model_max_length: config.contextLength, clean_up_tokenization_spaces: false }, null, 2);
  }
  files['config.json'] = JSON.stringify(toHfGpt2Config(config, manifest.source?.config ?? {}, eos), null, 2);
  files['generation_config.json'] = JSON.stringify(eos === undefined ? {} : { bos_token_id: eos, eos_token_id: eos }, null, 2);
  await writeSafetensors(path.join(dir, 'model.safetensors'), tensors(loaded));
  for (const [file, text] of Object.entries(files)) await writeFile(path.join(dir, file), text);
  return ['config.json', 'model.safetensors', ...Object.keys(files).filter((f) => f !== 'config.json')];
}

export const hfExporter: Exporter = { refuse, write };
