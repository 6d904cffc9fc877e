// Inkling's logits for TEXT from model NAME, loaded as a user's command would: {ids, logits} to OUT.
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/engine/runtime/backend.js';
import { loadModel } from '../src/engine/store/checkpoint.js';
import { findModel } from '../src/engine/store/registry.js';
import { modelSearchDirs, resolveModelsDir } from '../src/engine/store/paths.js';

await initBackend('wasm');
const loaded = await loadModel(await findModel(modelSearchDirs(resolveModelsDir()), process.env.NAME!));
const ids = loaded.tokenizer.encode(process.env.TEXT!).ids.slice(0, 64);
const logits = tf.tidy(() => loaded.model.apply(tf.tensor2d([ids], [1, ids.length], 'int32'), false));
const values = Array.from((await logits.data()) as Float32Array);
const V = loaded.model.config.vocabSize;
writeFileSync(process.env.OUT!, JSON.stringify({ ids, logits: ids.map((_, i) => values.slice(i * V, (i + 1) * V)) }));
