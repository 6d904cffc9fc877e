// Small text formatters shared by the commands' output.

/** 1234567 -> "1.23M", 80500 -> "80.5k". */
export function formatParams(n: number): string {
  if (!Number.isFinite(n)) return '?';
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

/** 130 -> "2m10s", 3725 -> "1h02m", 9 -> "9s". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A span of text in the model's own units: "64 chars" for a char model, "1,024 tokens" for BPE. */
export function formatWindow(tokens: number, tokenizer: string): string {
  const unit = tokenizer === 'char' ? 'char' : tokenizer === 'word' ? 'word' : 'token';
  return `${formatCount(tokens)} ${unit}${tokens === 1 ? '' : 's'}`;
}

/** 1380.4 -> "1,380". */
export function formatCount(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '?';
}

export function formatLoss(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(2);
}

/** Left-aligned columns with two spaces between them. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const render = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [render(header), ...rows.map(render)];
}

/** Hard-wrap text to `width` columns (code points), keeping its own line breaks. */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const chars = [...line.replace(/\t/g, '  ')];
    if (chars.length === 0) out.push('');
    for (let i = 0; i < chars.length; i += width) out.push(chars.slice(i, i + width).join(''));
  }
  return out;
}

/** Two texts in two columns split by a bar, for terminals of `columns` width. */
export function sideBySide(left: string, right: string, columns: number): string[] {
  const width = Math.max(10, Math.floor((columns - 3) / 2));
  const a = wrap(left, width);
  const b = wrap(right, width);
  return Array.from({ length: Math.max(a.length, b.length) }, (_, i) => `${(a[i] ?? '').padEnd(width)} │ ${b[i] ?? ''}`.trimEnd());
}
