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

/** A size on disk or in memory: "3.3 MB", or "28 kB" below a megabyte (a tiny model is not "0 MB"). */
export function formatBytes(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${Math.round(bytes / 1e3)} kB`;
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

/**
 * Wrap text to `width` columns (code points) at spaces, keeping its own line breaks; a word longer than
 * a row is cut where the row is full.
 */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    let rest = [...line.replace(/\t/g, '  ')];
    if (rest.length === 0) out.push('');
    while (rest.length > 0) {
      if (rest.length <= width) {
        out.push(rest.join(''));
        break;
      }
      const space = rest.lastIndexOf(' ', width);
      const cut = space > 0 ? space : width;
      out.push(rest.slice(0, cut).join('').trimEnd());
      rest = rest.slice(space > 0 ? cut + 1 : cut);
    }
  }
  return out;
}

/** Below this many columns two columns are too narrow to read: /compare stacks them. */
export const SIDE_BY_SIDE_MIN = 80;

/** Two texts in two columns split by a bar at `columns` width, or one above the other when narrower than SIDE_BY_SIDE_MIN. */
export function sideBySide(left: string, right: string, columns: number): string[] {
  if (columns < SIDE_BY_SIDE_MIN) {
    const width = Math.max(10, columns - 1);
    return [...wrap(left, width), '─'.repeat(Math.min(width, 40)), ...wrap(right, width)];
  }
  const width = Math.max(10, Math.floor((columns - 3) / 2));
  const a = wrap(left, width);
  const b = wrap(right, width);
  return Array.from({ length: Math.max(a.length, b.length) }, (_, i) => `${(a[i] ?? '').padEnd(width)} │ ${b[i] ?? ''}`.trimEnd());
}

/** Model text is raw (spacing, odd characters): a fence long enough never to close early keeps it verbatim. */
export function fence(text: string): string {
  const longest = Math.max(2, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}text\n${text}\n${ticks}`;
}
