// export NAME --format F DIR: write a model in another tool's format (the exporters live in engine/store/export).
import path from 'node:path';
import { defineCommand } from './define.js';
import { firstLine } from '../engine/first-line.js';
import { findModelDir, loadModelByName } from './model-lookup.js';
import { CommandError } from './types.js';
import { EXPORT_FORMATS, exportFormatNames, type ExportFormatName } from '../engine/store/export/index.js';

const formats = exportFormatNames();

export const exportCommand = defineCommand({
  name: 'export',
  summary: 'write a model in a standard format (tfjs-layers: load it with tf.loadLayersModel)',
  scopes: ['cli'],
  spec: {
    options: {
      format: {
        type: 'string',
        required: true,
        choices: formats,
        description: formats.map((f) => `${f}: ${EXPORT_FORMATS[f].summary}`).join('; '),
      },
    },
    positionals: [
      { name: 'NAME', description: 'the model (inkling models lists them)', required: true, values: 'model' },
      { name: 'DIR', description: 'a new (or empty) folder to write into', required: true },
    ],
    examples: ['inkling export gutenberg-lstm --format tfjs-layers ./lstm-web'],
  },
  build: ({ positionals: [name, dir], options: o }) => ({ name: name!, dir: path.resolve(dir!), format: o.format as ExportFormatName }),
  async run({ name, dir, format }, ctx) {
    const { checkExportTarget, exportModel, loadExporter } = await import('../engine/store/export/index.js');
    const { inspectModel } = await import('../engine/store/registry.js');
    const entry = await inspectModel(await findModelDir(ctx, name));
    if (!entry.ok) throw new CommandError(`cannot export ${name}: ${entry.error}`);
    // Refuse before loading anything: an unsupported architecture is known from the manifest alone.
    const refusal = (await loadExporter(format)).refuse(entry.manifest);
    if (refusal) throw new CommandError(refusal);
    const target = await checkExportTarget(dir);
    if (target) throw new CommandError(target);
    const loaded = await loadModelByName(ctx, name);
    try {
      const files = await exportModel(loaded, format, dir);
      ctx.out.line(`exported ${name} as ${format} to ${dir}: ${files.join(', ')}`);
    } catch (error) {
      throw new CommandError(`cannot export ${name}: ${firstLine(error)}`);
    } finally {
      loaded.dispose();
    }
  },
});
