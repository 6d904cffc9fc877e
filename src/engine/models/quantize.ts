// `--quantize q8`: a float model's int8 twin, for decoding (the family must accept config.quantization).
import type { LanguageModel } from '../types.js';
import { createModel } from './architectures.js';
import { quantizeInto } from './matrix.js';

const QUANTIZABLE = new Set(['llama']);

export async function quantizeModel(model: LanguageModel): Promise<LanguageModel> {
  const config = model.config as LanguageModel['config'] & { quantization?: string };
  if (!QUANTIZABLE.has(config.arch)) throw new Error(`q8 is not available for ${config.arch} models yet (available: ${[...QUANTIZABLE].join(', ')})`);
  if (config.quantization) throw new Error(`the model is already ${config.quantization}`);
  const q8 = createModel({ ...config, quantization: 'q8' } as LanguageModel['config'], 0);
  try {
    await quantizeInto(model.weights, q8.weights);
  } catch (error) {
    q8.dispose();
    throw error;
  }
  return q8;
}
