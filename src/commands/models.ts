// models [--json]: every model with its shape, training and lineage; broken folders by name with the reason.
import { defineCommand, info } from './define.js';
import { listModelEntries } from './model-lookup.js';
import { formatCount, formatLoss, formatParams, table } from './format.js';
import type { ModelEntry } from '../engine/store/registry.js';

function toJson(e: ModelEntry) {
  if (!e.ok) return { name: e.name, dir: e.dir, shipped: e.shipped, error: e.error, ...(e.saving ? { saving: true } : {}) };
  const m = e.manifest;
  return {
    name: e.name,
    dir: e.dir,
    shipped: e.shipped,
    arch: m.arch,
    params: m.params,
    tokenizer: m.tokenizer.kind,
    vocabSize: m.tokenizer.vocabSize,
    corpus: m.corpus.name,
    steps: m.step,
    bestValLoss: m.bestValLoss,
    parent: m.parent,
    trainedOn: m.backend,
    ...(m.task ? { task: m.task, labels: m.classify?.labels, macroF1: m.classify?.report?.classifier.macroF1 ?? null } : {}),
  };
}

/** "classify, macro-F1 0.898" for a classifier (its held-out figure), null for a language model. */
function taskNote(e: ModelEntry): string | null {
  if (!e.ok || e.manifest.task !== 'classify') return null;
  const report = e.manifest.classify?.report;
  return report ? `classify, macro-F1 ${report.classifier.macroF1.toFixed(3)}` : 'classify, unfinished (--resume)';
}

export const modelsCommand = defineCommand({
  name: 'models',
  summary: 'list the models: arch, size, tokenizer, corpus, steps, best val loss, parent, backend',
  scopes: ['cli', 'chat'],
  spec: {
    options: { json: { type: 'boolean', description: 'print JSON instead of a table' } },
    examples: ['inkling models', 'inkling models --json', '/models'],
  },
  build: ({ options }) => ({ json: options.json ?? false }),
  async run({ json }, ctx) {
    const { inProgressSaves, lineageTree } = await import('../engine/store/registry.js');
    const entries = await listModelEntries(ctx);
    const saving = await inProgressSaves(ctx.modelsDir);
    if (saving.length > 0) {
      info(ctx, `note: not listing ${saving.length} save folder(s) in progress or left by an interrupted run (${saving.slice(0, 3).join(', ')}${saving.length > 3 ? ', …' : ''})`);
    }
    if (json) {
      ctx.out.line(JSON.stringify(entries.map(toJson), null, 2));
      return;
    }
    const good = entries.filter((e) => e.ok);
    const broken = entries.filter((e) => !e.ok);
    const lines: string[] = [];
    if (good.length === 0) {
      lines.push(`no models yet in ${ctx.modelsDir} — train one: inkling train --corpus shakespeare --arch gpt --preset nano-cpu --minutes 3 --name s1`);
    } else {
      const rows = good.map((e) => {
        const m = e.manifest;
        // A classifier has no validation loss: its column shows the held-out macro-F1.
        const best = m.task === 'classify' ? `F1 ${m.classify?.report?.classifier.macroF1.toFixed(2) ?? '-'}` : formatLoss(m.bestValLoss);
        return [e.name, m.arch, formatParams(m.params), m.tokenizer.kind, m.corpus.name, formatCount(m.step), best, m.parent ?? '-', m.backend];
      });
      lines.push(...table(['name', 'arch', 'params', 'tokenizer', 'corpus', 'steps', 'best val', 'parent', 'trained on'], rows));
      const notes = new Map(good.map((e) => [e.name, taskNote(e)]));
      const annotate = (line: string) => {
        const note = notes.get(line.replace(/^[\s│├└─]*/, ''));
        return note ? `${line}  (${note})` : line;
      };
      if (good.some((e) => e.manifest.parent)) lines.push('', 'lineage:', ...lineageTree(entries).map((l) => `  ${annotate(l)}`));
    }
    for (const e of broken) lines.push(e.saving ? `saving: ${e.name} — a training run is writing it; list again in a moment` : `broken: ${e.name} — ${e.error} (skipped)`);
    ctx.out.line(lines.join('\n'));
  },
});
