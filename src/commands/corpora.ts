// corpora: the shipped texts that --corpus and --data accept by name.
import { defineCommand } from './define.js';
import { formatBytes, table } from './format.js';

export const corporaCommand = defineCommand({
  name: 'corpora',
  summary: 'list the shipped corpora (any UTF-8 text file works too)',
  scopes: ['cli', 'chat'],
  spec: { options: { json: { type: 'boolean', description: 'print JSON' } } },
  build: ({ options }) => ({ json: options.json ?? false }),
  async run({ json }, ctx) {
    const { listCorpora } = await import('../engine/data/corpus.js');
    const corpora = listCorpora();
    if (json) ctx.out.line(JSON.stringify(corpora, null, 2));
    else ctx.out.line(table(['name', 'size', 'what'], corpora.map((c) => [c.name, formatBytes(c.bytes), c.description])).join('\n'));
  },
});
