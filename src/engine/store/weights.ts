// Named tensors <-> one binary buffer plus a tfjs weights manifest, with checks that turn a
// truncated or mismatched file into a one-line Error instead of garbage values.
import * as tf from '@tensorflow/tfjs-core';

export interface EncodedTensors {
  specs: tf.io.WeightsManifestEntry[];
  data: ArrayBuffer;
}

const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

export async function encodeTensors(tensors: Record<string, tf.Tensor>): Promise<EncodedTensors> {
  for (const [name, t] of Object.entries(tensors)) {
    if (!(t.dtype in BYTES_PER_ELEMENT)) throw new Error(`cannot save tensor ${name} of dtype ${t.dtype}`);
  }
  const { data, specs } = await tf.io.encodeWeights(tensors);
  return { data, specs };
}

/** Decodes what encodeTensors produced. The caller owns (and disposes) the tensors. */
export function decodeTensors(specs: tf.io.WeightsManifestEntry[], data: ArrayBuffer): Record<string, tf.Tensor> {
  if (!Array.isArray(specs)) throw new Error('weights manifest is not a list of tensor specs');
  let expected = 0;
  const names = new Set<string>();
  for (const spec of specs) {
    const name = typeof spec?.name === 'string' ? spec.name : '';
    if (!name) throw new Error('weights manifest has an entry without a name');
    if (names.has(name)) throw new Error(`weights manifest names ${name} twice`);
    names.add(name);
    if (spec.quantization) throw new Error(`weights manifest entry ${name} is quantized, which is not supported`);
    const bytes = BYTES_PER_ELEMENT[spec.dtype];
    if (bytes === undefined) throw new Error(`weights manifest entry ${name} has unsupported dtype ${spec.dtype}`);
    if (!Array.isArray(spec.shape) || !spec.shape.every((n) => Number.isInteger(n) && n >= 0)) {
      throw new Error(`weights manifest entry ${name} has a bad shape ${JSON.stringify(spec.shape)}`);
    }
    expected += spec.shape.reduce((a, b) => a * b, 1) * bytes;
  }
  if (data.byteLength < expected) {
    throw new Error(`weights data is truncated: expected ${expected} bytes, found ${data.byteLength}`);
  }
  if (data.byteLength > expected) {
    throw new Error(`weights data does not match its manifest: expected ${expected} bytes, found ${data.byteLength}`);
  }
  return tf.io.decodeWeights(data, specs);
}
