// Which Hugging Face architectures Inkling reads, and how: each family registers the `architectures` names of
// config.json it understands, its config parser and (when its weights are renamed or transposed) where each
// weight comes from. The HF loader, import and pull ask this registry, never a family by name.
import type { ModelConfig } from '../types.js';

/** One of a model's weights and its key in the checkpoint; `transpose` turns nn.Linear's [out, in] into [in, out]. */
export interface HfWeightSource {
  name: string;
  key: string;
  transpose: boolean;
}

export interface HfFamily {
  /** config.json `architectures[0]` values (and `model_type` when architectures is absent). */
  architectures: readonly string[];
  modelTypes: readonly string[];
  /** The Inkling config, or a one-line Error naming the unsupported option. */
  parseConfig(raw: Record<string, unknown>): ModelConfig;
  /** Where each weight comes from; without it, weights are named by their checkpoint keys (GPT-2). */
  weightSources?(config: ModelConfig): HfWeightSource[];
}

const families: HfFamily[] = [];

export function registerHfFamily(family: HfFamily): void {
  families.push(family);
}

/** The architecture a config names, for messages: architectures[0], else model_type. */
export function hfArchitectureName(raw: Record<string, unknown>): string {
  const list = raw.architectures;
  if (Array.isArray(list) && typeof list[0] === 'string') return list[0];
  return typeof raw.model_type === 'string' ? raw.model_type : 'unknown';
}

export function hfFamilyOf(raw: Record<string, unknown>): HfFamily {
  const list = Array.isArray(raw.architectures) ? raw.architectures : [];
  const found =
    families.find((f) => list.some((a) => f.architectures.includes(a as string))) ??
    (list.length === 0 ? families.find((f) => f.modelTypes.includes(raw.model_type as string)) : undefined);
  if (!found) {
    const known = families.flatMap((f) => f.architectures).join(', ');
    throw new Error(`config.json: architecture ${hfArchitectureName(raw)} is not supported (Inkling reads ${known})`);
  }
  return found;
}

/** config.json -> Inkling config through the family that reads it. */
export function parseHfConfig(raw: Record<string, unknown>): ModelConfig {
  return hfFamilyOf(raw).parseConfig(raw);
}
