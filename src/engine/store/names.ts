// Model names become folder names: keep them to a safe, portable alphabet.
export const MAX_MODEL_NAME = 64;

// Windows device names (unusable as file names there) and names our own saves use.
const RESERVED = new Set([
  'con', 'prn', 'aux', 'nul',
  ...Array.from({ length: 9 }, (_, i) => `com${i + 1}`),
  ...Array.from({ length: 9 }, (_, i) => `lpt${i + 1}`),
  'tmp', 'temp', 'partial',
]);

function shown(name: string): string {
  const clean = name.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > 40 ? clean.slice(0, 37) + '...' : clean;
}

/** Returns the name when it is a safe model name; throws a one-line Error saying why not. */
export function validateModelName(name: string): string {
  if (typeof name !== 'string' || name.length === 0) throw new Error('model name is empty');
  const bad = (why: string) => new Error(`invalid model name '${shown(name)}': ${why}`);
  if (name.includes('..') || name.includes('/') || name.includes('\\')) {
    throw bad('no paths (/, \\ or ..): give a plain name like my-model');
  }
  if (/^[A-Za-z]:/.test(name)) throw bad('no paths: give a plain name like my-model');
  if (name.startsWith('.')) throw bad('it must not start with a dot');
  if (name.startsWith('-')) throw bad('it must not start with a dash');
  if (name.length > MAX_MODEL_NAME) throw bad(`at most ${MAX_MODEL_NAME} characters`);
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw bad('use only letters, digits, dot, dash and underscore');
  const lower = name.toLowerCase();
  const base = lower.split('.')[0]!;
  if (RESERVED.has(lower) || RESERVED.has(base)) throw bad('that name is reserved');
  if (/\.(tmp|partial)$/.test(lower) || /\.tmp/.test(lower)) throw bad('names with .tmp or .partial are reserved for saves in progress');
  if (name.endsWith('.')) throw bad('it must not end with a dot');
  return name;
}

/**
 * The one message for a name that is taken. Checked by the commands before a worker starts and again by
 * the engine (another process may have saved it since); `resumable` runs can also continue it.
 */
export function modelExistsMessage(name: string, resumable: boolean): string {
  return `model ${name} already exists: ${resumable ? 'add --resume to continue it, or ' : ''}pick another --name`;
}
