// Classification on top of a shipped base: it must learn styles the base has seen, report figures
// that its saved predictions back up, give the same outputs through cached features as end to end,
// resume a stopped run, and leave nothing behind on bad input.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestBackend } from '../support/models.js';
import { useTempDir } from '../support/temp.js';
import { runTraining } from '../../src/engine/training/train.js';
import { loadCorpus, splitDocuments } from '../../src/engine/data/corpus.js';
import { readManifest } from '../../src/engine/store/checkpoint.js';
import { loadModel } from '../../src/engine/store/checkpoint.js';
import { Classifier, PREDICTIONS_FILE, type Predictions } from '../../src/engine/tasks/classify/model.js';
import { chunkTexts, extractFeatures } from '../../src/engine/tasks/classify/features.js';
import { unfrozenWeights } from '../../src/engine/tasks/classify/unfreeze.js';
import { figures } from '../../src/engine/tasks/classify/metrics.js';
import type { ClassifyOptions, FinetuneRequest, TrainEvent } from '../../src/engine/types.js';
import { runCommandLine } from '../../src/commands/dispatch.js';
import { chatContext } from '../support/commands.js';

const tempDir = useTempDir();

let modelsDir: string;
let dataFile: string;
const texts: string[] = [];

/** 30 passages of 150 characters from the part of each book the shipped bases trained on. */
async function styles(): Promise<string> {
  const lines: string[] = [];
  for (const book of ['austen-emma', 'shakespeare-hamlet', 'whitman-leaves']) {
    const train = splitDocuments(await loadCorpus(book)).train[0]!;
    for (let i = 0; i < 30; i++) {
      const at = Math.floor(((i + 0.5) / 30) * (train.length - 200));
      const text = train.slice(at, at + 150);
      texts.push(text);
      lines.push(JSON.stringify({ text, label: book.split('-')[0] }));
    }
  }
  const file = path.join(tempDir(), 'styles.jsonl');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

beforeAll(async () => {
  await useTestBackend();
  modelsDir = tempDir();
  dataFile = await styles();
});

const classify = (name: string, options: ClassifyOptions = {}, shouldStop = () => false, from = 'gutenberg-gpt', onEvent: (e: TrainEvent) => void = () => {}) =>
  runTraining({ kind: 'finetune', task: 'classify', name, modelsDir, from, data: dataFile, classify: { val: 0.3, epochs: 40, ...options } } as FinetuneRequest, onEvent, shouldStop, 'wasm');

describe('a classifier on a base model', () => {
  it('beats the majority class clearly, and its report matches its saved predictions', async () => {
    const result = await classify('styles');
    const report = result.classifyReport!;
    expect(report.labels).toEqual(['austen', 'shakespeare', 'whitman']);
    expect(report.valRows).toBe(27);
    expect(report.classifier.macroF1).toBeGreaterThan(report.majority.macroF1 + 0.4);
    const saved = JSON.parse(readFileSync(path.join(modelsDir, 'styles', PREDICTIONS_FILE), 'utf8')) as Predictions;
    expect(figures(saved.labels, saved.truth, saved.classifier)).toEqual(report.classifier);
    expect(figures(saved.labels, saved.truth, saved.majority)).toEqual(report.majority);
    expect(figures(saved.labels, saved.truth, saved.ngram)).toEqual(report.ngram);
    const manifest = await readManifest(path.join(modelsDir, 'styles'));
    expect(manifest).toMatchObject({ task: 'classify', parent: 'gutenberg-gpt', classify: { stage: 'done', report } });
  });

  it('gives the same probabilities through cached (batched, padded) features as text by text', async () => {
    const classifier = await Classifier.load(path.join(modelsDir, 'styles'));
    try {
      const { model, tokenizer } = classifier.loaded;
      const sample = texts.filter((_, i) => i % 9 === 0).map((t, i) => t.slice(0, 40 + 13 * i));
      const chunked = chunkTexts(tokenizer, model, sample, classifier.info.maxTokens);
      const features = await extractFeatures(model, chunked, classifier.info.pool);
      const cached = tf.tidy(() => tf.softmax(classifier.head.logits(features, false)));
      const batched = (await cached.array()) as number[][];
      tf.dispose([features, cached]);
      const before = tf.memory().numTensors;
      const single = [];
      for (const text of sample) single.push(...(await classifier.classify([text])));
      expect(tf.memory().numTensors).toBe(before);
      single.forEach((r, i) => classifier.info.labels.forEach((l, c) => expect(r.probabilities[l]).toBeCloseTo(batched[i]![c]!, 4)));
    } finally {
      classifier.dispose();
    }
  });

  it('resumes a stopped run and finishes it with a report', async () => {
    const stopped = await classify('halted', {}, () => true, 'gutenberg-lstm');
    expect(stopped.classifyReport).toBeUndefined();
    const partial = await readManifest(path.join(modelsDir, 'halted'));
    expect(partial.classify).toMatchObject({ stage: 'head', headEpochs: 1 });
    expect(existsSync(path.join(modelsDir, 'halted', PREDICTIONS_FILE))).toBe(false);
    const resumed = await classify('halted', { resume: true }, () => false, 'gutenberg-lstm');
    expect(resumed.classifyReport).toBeDefined();
    const done = await readManifest(path.join(modelsDir, 'halted'));
    expect(done.classify!.stage).toBe('done');
    expect(done.classify!.headEpochs).toBeGreaterThan(1);
    expect(done.parent).toBe('gutenberg-lstm');
    expect(done.createdAt).toBe(partial.createdAt);
    await expect(classify('halted', { resume: true }, () => false, 'gutenberg-lstm')).rejects.toThrow(/is complete: nothing to resume/);
  });

  it('--unfreeze 1 may change only the top layer: the layers below stay as the base had them', async () => {
    await classify('tuned', { unfreeze: 1, epochs: 5 });
    const base = await loadModel(path.join(path.resolve('models'), 'gutenberg-gpt'));
    const tuned = await loadModel(path.join(modelsDir, 'tuned'));
    try {
      const top = new Set(unfrozenWeights(base.model, 1).map((v) => v.name));
      const topNames = base.model.weights.filter((w) => top.has(w.variable.name)).map((w) => w.name);
      expect(topNames.every((n) => n.startsWith('block3/') || n.startsWith('head/'))).toBe(true);
      expect(topNames.some((n) => n.startsWith('block3/'))).toBe(true);
      for (const [i, w] of base.model.weights.entries()) {
        const a = await w.variable.data();
        const b = await tuned.model.weights[i]!.variable.data();
        const same = a.every((x, j) => x === b[j]);
        if (!top.has(w.variable.name)) expect(same, w.name).toBe(true);
      }
      expect((await readManifest(path.join(modelsDir, 'tuned'))).classify!.report!.unfreeze).toBe(1);
    } finally {
      base.dispose();
      tuned.dispose();
    }
  });

  it('keeps the tensor count flat across a whole run, unfreeze stage and baselines included', async () => {
    await classify('warmup', { epochs: 2, unfreeze: 1 }, () => false, 'gutenberg-lstm');
    const before = tf.memory().numTensors;
    await classify('flat', { epochs: 2, unfreeze: 1 }, () => false, 'gutenberg-lstm');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('takes an imported Hugging Face GPT-2 as its base, and reads it the same batched or text by text', async () => {
    const { importHfModel } = await import('../../src/engine/store/hf-import.js');
    await importHfModel({ dir: path.resolve('test/fixtures/hf/tiny-gpt2'), modelsDir, name: 'hf-gpt2' });
    const result = await classify('hf-styles', { epochs: 5, unfreeze: 1 }, () => false, 'hf-gpt2');
    expect(result.classifyReport!.labels).toHaveLength(3);
    const classifier = await Classifier.load(path.join(modelsDir, 'hf-styles'));
    try {
      const { model, tokenizer } = classifier.loaded;
      expect(model.config.arch).toBe('gpt2');
      const sample = texts.filter((_, i) => i % 11 === 0).map((t, i) => t.slice(0, 30 + 17 * i));
      const features = await extractFeatures(model, chunkTexts(tokenizer, model, sample, classifier.info.maxTokens), classifier.info.pool);
      const batched = tf.tidy(() => tf.softmax(classifier.head.logits(features, false)));
      const rows = (await batched.array()) as number[][];
      tf.dispose([features, batched]);
      for (const [i, text] of sample.entries()) {
        const [r] = await classifier.classify([text]);
        classifier.info.labels.forEach((l, c) => expect(r!.probabilities[l]).toBeCloseTo(rows[i]![c]!, 4));
      }
    } finally {
      classifier.dispose();
    }
  });

  it('leaves nothing in the models folder when the data is bad', async () => {
    const single = path.join(tempDir(), 'single.csv');
    writeFileSync(single, 'text,label\nhello there,a\ngood day,a\n');
    const before = readdirSync(modelsDir);
    await expect(
      runTraining({ kind: 'finetune', task: 'classify', name: 'nope', modelsDir, from: 'gutenberg-gpt', data: single } as FinetuneRequest, () => {}, () => false, 'wasm'),
    ).rejects.toThrow(/single class/);
    expect(readdirSync(modelsDir)).toEqual(before);
  });
});

describe('classifiers in the chat', () => {
  it("/classify labels the text with the classifier named, quotes and apostrophes as typed", async () => {
    const ctx = chatContext(undefined, modelsDir);
    await runCommandLine(`/classify --model styles It's "a truth" universally acknowledged`, ctx);
    expect(ctx.out.errors).toEqual([]);
    expect(ctx.out.text()).toMatch(/^styles:\n(austen|shakespeare|whitman)\n {2}\w+\s+█*░*  \d\.\d\d/);
    expect(ctx.out.text().split('\n').filter((l) => /░|█/.test(l))).toHaveLength(3);
  });

  it('/classify without --model and no classifier in use names the classifiers', async () => {
    const ctx = chatContext(undefined, modelsDir);
    await runCommandLine('/classify hello', ctx);
    expect(ctx.out.errors[0]).toMatch(/^which classifier\? give --model NAME \(classifiers: .*styles/);
  });

  it('/compare of two classifiers shows both distributions; a classifier against a language model is one line', async () => {
    const ctx = chatContext(undefined, modelsDir);
    await runCommandLine('/compare styles tuned O Romeo, Romeo', ctx);
    expect(ctx.out.errors).toEqual([]);
    expect(ctx.out.text()).toMatch(/^same text, two classifiers:\nstyles\s+│ tuned/);
    expect(ctx.out.text().split('\n').filter((l) => (l.match(/█|░/g) ?? []).length > 0 && l.includes('│'))).toHaveLength(3);
    const mixed = chatContext(undefined, modelsDir);
    await runCommandLine('/compare styles gutenberg-gpt hello', mixed);
    expect(mixed.out.errors).toEqual(['styles is a classifier and gutenberg-gpt is not: compare two classifiers, or two language models']);
  });
});
