// Reading a Hugging Face model folder (config.json, safetensors, tokenizer files, generation_config.json) into an
// Inkling model and tokenizer. Weights go tensor by tensor from the file into the model's variables, so a model is
// in memory once (plus one tensor), whatever its dtype on disk.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createModel } from '../models/index.js';
import { hfFamilyOf, type HfWeightSource } from '../models/hf-families.js';
import { HfBpeTokenizer, tokenizerJsonFromVocabMerges } from '../data/tokenizers/hf.js';
import { openSafetensors, readTensor, type SafetensorsSet } from './safetensors.js';
import type { LanguageModel, ModelConfig } from '../types.js';

/** Files a GPT-2 folder may hold that Inkling reads (pull downloads only these). */
export const HF_FILES = {
  config: 'config.json',
  generation: 'generation_config.json',
  tokenizer: ['tokenizer.json', 'tokenizer_config.json', 'vocab.json', 'merges.txt', 'special_tokens_map.json'],
  weights: ['model.safetensors', 'model.safetensors.index.json'],
  card: 'README.md',
};

/** Checkpoint buffers that are not parameters: GPT-2's causal mask and its masked-attention constant. */
const BUFFER = /(^|\.)attn\.(bias|masked_bias)$/;

async function readJsonFile(file: string, required: boolean): Promise<Record<string, unknown> | null> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    if (required) throw new Error(`${path.basename(file)} is missing from ${path.dirname(file)}`);
    return null;
  }
  try {
    const json = JSON.parse(text) as unknown;
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('not an object');
    return json as Record<string, unknown>;
  } catch {
    throw new Error(`${path.basename(file)} in ${path.dirname(file)} is not a valid JSON object`);
  }
}

export interface HfFolder {
  dir: string;
  config: ModelConfig;
  /** Where each weight comes from, for families that rename or transpose (absent: GPT-2's own keys). */
  sources?: HfWeightSource[];
  /** config.json as it was, for the manifest and for export. */
  original: Record<string, unknown>;
  tokenizer: HfBpeTokenizer;
  weights: SafetensorsSet;
}

function ids(v: unknown): number[] {
  if (typeof v === 'number') return [v];
  return Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : [];
}

/** config, tokenizer and the safetensors headers of a folder; one-line errors naming what is missing or unsupported. */
export async function readHfFolder(dir: string): Promise<HfFolder> {
  const original = (await readJsonFile(path.join(dir, HF_FILES.config), true))!;
  const family = hfFamilyOf(original);
  const config = family.parseConfig(original);
  const tokConfig = (await readJsonFile(path.join(dir, 'tokenizer_config.json'), false)) ?? {};
  let tokJson = await readJsonFile(path.join(dir, 'tokenizer.json'), false);
  if (!tokJson) {
    const [vocab, merges] = await Promise.all(['vocab.json', 'merges.txt'].map((f) => fs.readFile(path.join(dir, f), 'utf8').catch(() => null)));
    if (vocab === null || merges === null) throw new Error(`${dir} has no tokenizer: it needs tokenizer.json, or vocab.json and merges.txt`);
    tokJson = tokenizerJsonFromVocabMerges(vocab, merges, tokConfig);
  }
  const generation = (await readJsonFile(path.join(dir, HF_FILES.generation), false)) ?? {};
  const eos = [...new Set([...ids(generation.eos_token_id), ...ids(original.eos_token_id)])];
  const tokenizer = new HfBpeTokenizer({ tokenizer: tokJson, config: tokConfig, eos, vocabSize: config.vocabSize });
  const weights = await openSafetensors(dir);
  return { dir, config, original, tokenizer, weights, ...(family.weightSources ? { sources: family.weightSources(config) } : {}) };
}

/** The entry a model weight comes from: with or without the `transformer.` prefix. */
function entryFor(set: SafetensorsSet, name: string) {
  return set.entries.get(name) ?? set.entries.get(`transformer.${name}`);
}

/** Fills the model's variables from the safetensors, one tensor at a time. */
export async function assignFromSafetensors(model: LanguageModel, set: SafetensorsSet): Promise<void> {
  const used = new Set<string>();
  for (const w of model.weights) {
    const entry = entryFor(set, w.name);
    if (!entry) throw new Error(`the weights have no ${w.name}`);
    const want = w.variable.shape;
    if (entry.shape.length !== want.length || entry.shape.some((n, i) => n !== want[i])) {
      throw new Error(`the weights' ${entry.name} has shape [${entry.shape.join(', ')}], the config needs [${want.join(', ')}]`);
    }
    used.add(entry.name);
    const values = await readTensor(entry);
    tf.tidy(() => w.variable.assign(tf.tensor(values, want, 'float32')));
  }
  for (const name of set.entries.keys()) {
    if (used.has(name) || BUFFER.test(name)) continue;
    if (name === 'lm_head.weight') {
      await checkTied(set, name);
      continue;
    }
    throw new Error(`the weights hold ${name}, which GPT2LMHeadModel does not have`);
  }
}

/** GPT-2's head is the token embedding; a checkpoint that stores lm_head.weight must store the same values. */
async function checkTied(set: SafetensorsSet, name: string): Promise<void> {
  const head = await readTensor(set.entries.get(name)!);
  const wte = await readTensor(entryFor(set, 'wte.weight')!);
  if (head.length !== wte.length || head.some((v, i) => v !== wte[i])) throw new Error('lm_head.weight differs from wte.weight: untied heads are not supported');
}

/** Fills the model's variables from the keys `sources` names, transposing nn.Linear weights; unknown keys are refused. */
async function assignMapped(model: LanguageModel, set: SafetensorsSet, sources: HfWeightSource[]): Promise<void> {
  const byName = new Map(model.weights.map((w) => [w.name, w]));
  for (const source of sources) {
    const w = byName.get(source.name);
    const entry = set.entries.get(source.key);
    if (!w) throw new Error(`the model has no weight ${source.name}`);
    if (!entry) throw new Error(`the weights have no ${source.key}`);
    const want = w.variable.shape;
    const stored = source.transpose ? [...want].reverse() : want;
    if (entry.shape.length !== stored.length || entry.shape.some((n, i) => n !== stored[i])) {
      throw new Error(`the weights' ${entry.name} has shape [${entry.shape.join(', ')}], the config needs [${stored.join(', ')}]`);
    }
    const values = await readTensor(entry);
    tf.tidy(() => {
      const t = tf.tensor(values, stored, 'float32');
      w.variable.assign(source.transpose ? tf.transpose(t) : t);
    });
  }
  const used = new Set(sources.map((s) => s.key));
  const extra = [...set.entries.keys()].find((k) => !used.has(k) && !/rotary_emb\.inv_freq$/.test(k));
  if (extra) throw new Error(`the weights hold ${extra}, which the config does not describe`);
}

/** A folder's model with its weights (caller disposes). */
export async function buildHfModel(folder: HfFolder): Promise<LanguageModel> {
  const model = createModel(folder.config, 0);
  try {
    if (folder.sources) await assignMapped(model, folder.weights, folder.sources);
    else await assignFromSafetensors(model, folder.weights);
  } catch (error) {
    model.dispose();
    throw new Error(`${path.basename(folder.dir)}: ${(error as Error).message}`);
  }
  return model;
}
