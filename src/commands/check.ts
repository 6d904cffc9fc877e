// check NAME: verify a model folder file by file (schemas, checksums, sizes, finite values, optimizer state).
import { defineCommand } from './define.js';
import { findModelDir } from './model-lookup.js';
import { CommandError } from './types.js';

export const checkCommand = defineCommand({
  name: 'check',
  summary: 'verify a model: every file against its checksum and schema, weights finite, optimizer state usable',
  scopes: ['cli', 'chat'],
  spec: {
    options: {},
    positionals: [{ name: 'NAME', description: 'the model to verify', required: true, values: 'model' }],
    examples: ['inkling check s1', '/check s1'],
  },
  build: ({ positionals: [name] }) => ({ name: name! }),
  async run({ name }, ctx) {
    const dir = await findModelDir(ctx, name);
    const { checkModelFolder } = await import('../engine/store/verify.js');
    const report = await checkModelFolder(dir);
    const width = Math.max(...report.checks.map((c) => c.file.length));
    const lines = report.checks.map((c) => `${c.ok ? 'ok  ' : 'BAD '} ${c.file.padEnd(width)}  ${c.detail}`);
    ctx.out.line(lines.join('\n'));
    if (!report.usable) throw new CommandError(`model ${name} is broken: ${report.checks.find((c) => !c.ok)?.detail ?? 'see above'}`);
    const bad = report.checks.find((c) => !c.ok);
    if (bad) throw new CommandError(`model ${name} loads, but its optimizer state is broken (${bad.detail}): resume it with --reset-optimizer`);
    ctx.out.line(`model ${name} is healthy${report.resumable ? '' : ' (no optimizer state: it cannot be resumed, only fine-tuned)'}`);
  },
});
