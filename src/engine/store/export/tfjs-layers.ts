// A TensorFlow.js Layers model (Embedding -> LSTM... -> Dense) built with tfjs-layers itself, so its
// model.json is exactly what tf.loadLayersModel and tensorflowjs_converter expect. Inkling's LSTM
// already keeps Keras's gate order (i, f, g, o), kernel [in, 4h], recurrent kernel [h, 4h] and one bias.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LoadedModel } from '../checkpoint.js';
import type { Manifest, RnnConfig } from '../../types.js';
import { EXPORT_FORMATS, type Exporter } from './index.js';

const WEIGHTS_FILE = 'group1-shard1of1.bin';

function refuse(manifest: Manifest): string | null {
  switch (manifest.arch) {
    case 'lstm':
      return null;
    case 'gru':
      return "tfjs-layers cannot hold this GRU: Inkling's GRU applies the reset gate after h@U (Keras reset_after=True), which tfjs-layers' GRU does not support";
    case 'gpt':
      return 'hf' in EXPORT_FORMATS
        ? 'tfjs-layers has no GPT layers: export a GPT model with --format hf (the GPT-2 layout)'
        : 'tfjs-layers has no GPT layers: only lstm models export to it';
    default:
      return `tfjs-layers export supports lstm models, not ${manifest.arch}`;
  }
}

/** Inkling's weights by name (embedding/token, layer0/kernel, ..., head/bias). */
function weightsByName(model: LoadedModel): Map<string, tf.Tensor> {
  return new Map(model.model.weights.map((w) => [w.name, w.variable as tf.Tensor]));
}

function buildLayers(config: RnnConfig): tfl.Sequential {
  const net = tfl.sequential();
  // Zero initializers: the weights are replaced at once, and a random orthogonal init of a big matrix is slow.
  const zeros = 'zeros' as const;
  net.add(tfl.layers.embedding({ inputDim: config.vocabSize, outputDim: config.embedding, batchInputShape: [null, null], embeddingsInitializer: zeros, name: 'embedding' }));
  for (let i = 0; i < config.layers; i++) {
    net.add(
      tfl.layers.lstm({
        units: config.hidden,
        // Keras's default; tfjs-layers' own default is hardSigmoid, which Inkling does not use.
        recurrentActivation: 'sigmoid',
        returnSequences: true,
        kernelInitializer: zeros,
        recurrentInitializer: zeros,
        name: `lstm_${i}`,
      }),
    );
  }
  net.add(tfl.layers.dense({ units: config.vocabSize, kernelInitializer: zeros, name: 'logits' }));
  return net;
}

async function write(model: LoadedModel, dir: string): Promise<string[]> {
  const config = model.manifest.config as RnnConfig;
  const byName = weightsByName(model);
  const get = (name: string): tf.Tensor => {
    const t = byName.get(name);
    if (!t) throw new Error(`the model has no weight ${name}`);
    return t;
  };
  const net = buildLayers(config);
  try {
    const values: tf.Tensor[] = [get('embedding/token')];
    for (let i = 0; i < config.layers; i++) values.push(get(`layer${i}/kernel`), get(`layer${i}/recurrent`), get(`layer${i}/bias`));
    values.push(get('head/kernel'), get('head/bias'));
    net.setWeights(values);
    let artifacts: tf.io.ModelArtifacts | null = null;
    await net.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    const saved = artifacts as tf.io.ModelArtifacts | null;
    if (!saved?.weightData || !saved.weightSpecs) throw new Error('tfjs-layers saved no weights');
    const json: tf.io.ModelJSON = {
      modelTopology: saved.modelTopology!,
      format: saved.format ?? 'layers-model',
      generatedBy: saved.generatedBy ?? 'TensorFlow.js tfjs-layers',
      convertedBy: `Inkling (from ${model.name})`,
      weightsManifest: [{ paths: [WEIGHTS_FILE], weights: saved.weightSpecs }],
    };
    await writeFile(path.join(dir, 'model.json'), JSON.stringify(json));
    const data = tf.io.CompositeArrayBuffer.join(saved.weightData);
    await writeFile(path.join(dir, WEIGHTS_FILE), new Uint8Array(data));
    await writeFile(path.join(dir, 'tokenizer.json'), JSON.stringify(model.tokenizer.toJSON()));
    return ['model.json', WEIGHTS_FILE, 'tokenizer.json'];
  } finally {
    net.dispose();
  }
}

export const tfjsLayersExporter: Exporter = { refuse, write };
