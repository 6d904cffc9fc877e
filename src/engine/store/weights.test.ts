import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, expect, it } from 'vitest';
import { assignWeights, createModel, namedTensors } from '../models/index.js';
import { decodeTensors, encodeTensors } from './weights.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

it('round-trips named float32 and int32 tensors', async () => {
  const a = tf.tensor2d([[1.5, -2], [3, 4.25]]);
  const b = tf.tensor1d([7, -9, 11], 'int32');
  const { specs, data } = await encodeTensors({ 'm/block0/attn': a, count: b });
  expect(data.byteLength).toBe(4 * 4 + 3 * 4);
  const out = decodeTensors(specs, data);
  expect(out['m/block0/attn'].shape).toEqual([2, 2]);
  expect([...(await out['m/block0/attn'].data())]).toEqual([1.5, -2, 3, 4.25]);
  expect(out.count.dtype).toBe('int32');
  expect([...(await out.count.data())]).toEqual([7, -9, 11]);
  tf.dispose([a, b, ...Object.values(out)]);
});

it('rejects truncated or padded data and bad specs in one line', async () => {
  const t = tf.ones([10]);
  const { specs, data } = await encodeTensors({ t });
  expect(() => decodeTensors(specs, data.slice(0, 20))).toThrow('weights data is truncated: expected 40 bytes, found 20');
  expect(() => decodeTensors(specs, new ArrayBuffer(44))).toThrow(/expected 40 bytes, found 44/);
  expect(() => decodeTensors([{ ...specs[0], shape: [-1] }], data)).toThrow(/bad shape/);
  expect(() => decodeTensors([{ ...specs[0], dtype: 'string' }], data)).toThrow(/unsupported dtype string/);
  expect(() => decodeTensors([specs[0], specs[0]], data)).toThrow(/names t twice/);
  t.dispose();
});

it('encode, decode and assign give a model with identical logits', async () => {
  const config = { arch: 'gpt', vocabSize: 11, contextLength: 8, layers: 1, heads: 2, embedding: 16, dropout: 0 } as const;
  const source = createModel(config, 1);
  const target = createModel(config, 2);
  const { specs, data } = await encodeTensors(namedTensors(source));
  const decoded = decodeTensors(JSON.parse(JSON.stringify(specs)), data);
  assignWeights(target, decoded);
  tf.dispose(Object.values(decoded));
  const x = tf.tensor2d([[1, 2, 3, 4, 5, 6, 7, 8]], [1, 8], 'int32');
  const [p, q] = [source.apply(x, false), target.apply(x, false)];
  expect([...(await q.data())]).toEqual([...(await p.data())]);
  tf.dispose([x, p, q]);
  source.dispose();
  target.dispose();
});
