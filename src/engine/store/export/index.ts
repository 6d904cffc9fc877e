// Exporters, one per `inkling export --format`: each lives in its own file and is loaded only when used,
// so `--help` and Tab completion list the formats without loading TensorFlow.js. A new format is one row here.
import { mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { LoadedModel } from '../checkpoint.js';
import { merged } from '../lora-variant.js';
import type { Manifest } from '../../types.js';

export interface Exporter {
  /** null when this model can be exported; otherwise one line saying why not (and what to use instead). */
  refuse(manifest: Manifest): string | null;
  /** Write the files into `dir` (an empty folder that is renamed into place afterwards); returns their names. */
  write(model: LoadedModel, dir: string): Promise<string[]>;
}

interface ExportFormat {
  /** One line for `inkling export --help`. */
  summary: string;
  load(): Promise<Exporter>;
}

export const EXPORT_FORMATS = {
  'tfjs-layers': {
    summary: 'TensorFlow.js Layers model (lstm; gru and gpt refused): tf.loadLayersModel in Node or a web page; tensorflowjs_converter makes a Keras .h5',
    load: async () => (await import('./tfjs-layers.js')).tfjsLayersExporter,
  },
  hf: {
    summary: 'Hugging Face GPT2LMHeadModel folder (gpt2, and gpt with a char tokenizer): transformers from_pretrained reads it',
    load: async () => (await import('./hf.js')).hfExporter,
  },
} satisfies Record<string, ExportFormat>;

export type ExportFormatName = keyof typeof EXPORT_FORMATS;

export function exportFormatNames(): ExportFormatName[] {
  return Object.keys(EXPORT_FORMATS) as ExportFormatName[];
}

export async function loadExporter(format: ExportFormatName): Promise<Exporter> {
  return EXPORT_FORMATS[format].load();
}

/** A one-line reason when `dir` cannot receive an export (it exists and is not an empty folder). */
export async function checkExportTarget(dir: string): Promise<string | null> {
  const info = await stat(dir).catch(() => null);
  if (!info) {
    const parent = await stat(path.dirname(path.resolve(dir))).catch(() => null);
    return parent?.isDirectory() ? null : `no folder ${path.dirname(path.resolve(dir))}: create it first`;
  }
  if (!info.isDirectory()) return `${dir} is a file: give a new folder name`;
  if ((await readdir(dir)).length > 0) return `${dir} is not empty: give a new or empty folder`;
  return null;
}

/**
 * Write an export into a hidden sibling folder, then rename it into place: an interrupted or failed
 * export never leaves a half-written folder behind.
 */
/** A LoRA variant is exported with its adapters merged in (its LoadedModel is spent: only dispose it). */
export async function exportModel(loaded: LoadedModel, format: ExportFormatName, dir: string): Promise<string[]> {
  const model = merged(loaded);
  const exporter = await loadExporter(format);
  const refusal = exporter.refuse(model.manifest);
  if (refusal) throw new Error(refusal);
  const target = path.resolve(dir);
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.tmp-${process.pid}-${Date.now()}`);
  await mkdir(tmp);
  try {
    const files = await exporter.write(model, tmp);
    // An empty target folder gives way (rmdir refuses a non-empty one, which checkExportTarget refused already).
    if ((await stat(target).catch(() => null))?.isDirectory()) await rmdir(target);
    await rename(tmp, target);
    return files;
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
}
