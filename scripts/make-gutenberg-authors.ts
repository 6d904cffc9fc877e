// Builds data/gutenberg-authors.jsonl, the shipped classification demo: fixed-length passages of the
// 13 shipped books labelled by author. As for the language models, each book's last 10% is held out:
// "val" rows come only from there, "train" rows only from the first 90%, so the shipped base models
// (trained on the first 90%) have never seen a held-out passage. Deterministic; rerun with
//   npx tsx scripts/make-gutenberg-authors.ts
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadCorpus, splitDocuments } from '../src/engine/data/corpus.js';
import { dataDir } from '../src/engine/store/paths.js';

const PASSAGE = 320;
/** Rows per author (split across the author's books), kept small so the file stays about half a MB. */
const TRAIN_PER_AUTHOR = 200;
const VAL_PER_AUTHOR = 40;

/** Up to `count` passages spread evenly over `text`, each starting at a word and collapsed to single spaces. */
function passages(text: string, count: number): string[] {
  const out: string[] = [];
  const usable = text.length - PASSAGE * 1.2;
  if (usable <= 0) return out;
  const n = Math.min(count, Math.floor(usable / PASSAGE));
  for (let i = 0; i < n; i++) {
    let at = Math.floor((usable * (i + 0.5)) / n);
    const space = text.indexOf(' ', at);
    if (space >= 0 && space - at < 40) at = space + 1;
    const passage = text.slice(at, at + PASSAGE).replace(/[ \t]+/g, ' ').trim();
    if (passage.length > PASSAGE / 2) out.push(passage);
  }
  return out;
}

const corpus = await loadCorpus('gutenberg');
const { train, val } = splitDocuments(corpus, 0.1);
const books = corpus.documents.map((d, i) => ({ author: d.name.split('-')[0]!, train: train[i]!, val: val[i]! }));
const authors = [...new Set(books.map((b) => b.author))].sort();
const lines: string[] = [];
for (const author of authors) {
  const own = books.filter((b) => b.author === author);
  for (const [split, quota] of [['train', TRAIN_PER_AUTHOR], ['val', VAL_PER_AUTHOR]] as const) {
    for (const book of own) {
      for (const text of passages(split === 'train' ? book.train : book.val, Math.ceil(quota / own.length))) {
        lines.push(JSON.stringify({ text, label: author, split }));
      }
    }
  }
}
const file = path.join(dataDir(), 'gutenberg-authors.jsonl');
writeFileSync(file, lines.join('\n') + '\n');
console.log(`wrote ${lines.length} rows (${authors.length} authors) to ${file}`);
