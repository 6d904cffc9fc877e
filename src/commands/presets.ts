// presets [ARCH]: named model sizes and schedules for train --preset.
import { defineCommand } from './define.js';
import { table } from './format.js';
import { listPresets } from '../engine/models/presets.js';
import type { Arch } from '../engine/types.js';

export const presetsCommand = defineCommand({
  name: 'presets',
  summary: 'list the model presets for train --preset',
  scopes: ['cli', 'chat'],
  spec: { options: { arch: { type: 'string', choices: ['gpt', 'lstm', 'gru'], description: 'only this architecture' } } },
  build: ({ options }) => ({ arch: (options.arch as Arch | undefined) ?? null }),
  async run({ arch }, ctx) {
    const rows = listPresets(arch ?? undefined).map((p) => [p.arch, p.name, p.description]);
    ctx.out.line(table(['arch', 'preset', 'what'], rows).join('\n'));
  },
});
