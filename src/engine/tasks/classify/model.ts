// A classifier on disk is a model folder like any other (the base's weights, possibly tuned by
// --unfreeze, and its tokenizer) plus head.json, with task "classify" in its manifest; the held-out
// predictions behind its report are kept in predictions.json.
import * as tf from '@tensorflow/tfjs-core';
import { loadModel, type LoadedModel } from '../../store/checkpoint.js';
import { chunkTexts, textFeatures } from './features.js';
import { LinearHead, type HeadJSON } from './head.js';
import { readVerified } from '../../store/read-folder.js';
import { MAX_JSON_BYTES } from '../../store/model-files.js';
import { headJsonSchema, parseJsonFile } from '../../store/schema.js';
import type { ClassifyInfo, Manifest } from '../../types.js';

export const HEAD_FILE = 'head.json';
export const PREDICTIONS_FILE = 'predictions.json';

export interface Predictions {
  labels: string[];
  truth: number[];
  classifier: number[];
  majority: number[];
  ngram: number[];
}

export interface Classification {
  label: string;
  probabilities: Record<string, number>;
  truncated: boolean;
}

export function classifyInfo(manifest: Manifest, name: string): ClassifyInfo {
  if (manifest.task !== 'classify' || !manifest.classify) {
    throw new Error(`model '${name}' is a language model, not a classifier (make one with finetune --task classify)`);
  }
  return manifest.classify;
}

/** head.json, checked against the manifest's checksum and its schema. */
export async function readHead(dir: string, manifest: Manifest): Promise<HeadJSON> {
  const bytes = await readVerified(dir, manifest, HEAD_FILE, MAX_JSON_BYTES);
  return parseJsonFile(HEAD_FILE, bytes, headJsonSchema) as HeadJSON;
}

export class Classifier {
  private constructor(
    readonly loaded: LoadedModel,
    readonly info: ClassifyInfo,
    readonly head: LinearHead,
    private readonly ownsModel = true,
  ) {}

  /** A classifier over a model someone else owns (the chat's loaded model): dispose() frees only the head. */
  static async attach(loaded: LoadedModel): Promise<Classifier> {
    const info = classifyInfo(loaded.manifest, loaded.name);
    const json = await readHead(loaded.dir, loaded.manifest);
    if (json.classes !== info.labels.length) throw new Error(`classifier '${loaded.name}': head.json does not match its labels`);
    return new Classifier(loaded, info, new LinearHead(json), false);
  }

  static async load(dir: string): Promise<Classifier> {
    const loaded = await loadModel(dir);
    try {
      const info = classifyInfo(loaded.manifest, loaded.name);
      const json = await readHead(dir, loaded.manifest);
      if (json.classes !== info.labels.length) throw new Error(`classifier '${loaded.name}': head.json does not match its labels`);
      return new Classifier(loaded, info, new LinearHead(json));
    } catch (error) {
      loaded.dispose();
      throw error;
    }
  }

  get name(): string {
    return this.loaded.name;
  }

  /** Label probabilities for each text, in batches. */
  async classify(texts: readonly string[], batch = 32): Promise<Classification[]> {
    const out: Classification[] = [];
    const { model, tokenizer } = this.loaded;
    for (let from = 0; from < texts.length; from += batch) {
      const part = texts.slice(from, from + batch);
      const chunked = chunkTexts(tokenizer, model, part, this.info.maxTokens);
      const cut = new Set<number>();
      part.forEach((t, i) => {
        if (tokenizer.encode(t).ids.length > this.info.maxTokens) cut.add(i);
      });
      const probs = tf.tidy(() => tf.softmax(this.head.logits(textFeatures(model, chunked, 0, part.length, this.info.pool, false), false)));
      const values = await probs.data();
      probs.dispose();
      const C = this.info.labels.length;
      part.forEach((_, i) => {
        const row = Array.from(values.slice(i * C, (i + 1) * C));
        const best = row.indexOf(Math.max(...row));
        out.push({
          label: this.info.labels[best]!,
          probabilities: Object.fromEntries(this.info.labels.map((l, c) => [l, row[c]!])),
          truncated: cut.has(i),
        });
      });
    }
    return out;
  }

  dispose(): void {
    this.head.dispose();
    if (this.ownsModel) this.loaded.dispose();
  }
}
