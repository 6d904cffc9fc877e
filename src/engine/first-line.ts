// One rule for showing an error: the first non-blank line of its message, never a stack.
// Used by the engine, the commands and the UI alike (the engine imports nothing, so anyone may import this).

/** The first non-blank line of an error's message (or of any thrown value), trimmed; `fallback` when empty. */
export function firstLine(error: unknown, fallback = 'unknown error', maxChars = Infinity): string {
  const text =
    error instanceof Error
      ? error.message
      : typeof error === 'object' && error !== null && 'message' in error
        ? String((error as { message: unknown }).message)
        : String(error);
  const line = (text.split('\n').find((l) => l.trim() !== '') ?? '').trim();
  return line === '' ? fallback : line.slice(0, maxChars);
}
