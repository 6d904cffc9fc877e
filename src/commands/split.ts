// Chat text -> argv.
import parseArgsStringToArgv from 'string-argv';

/** Split like a shell would, quotes grouping words; an unclosed quote runs to the end of the line. */
export function splitArgv(raw: string): string[] {
  return parseArgsStringToArgv(raw);
}

/**
 * The first `count` words split as usual, the rest of the line kept verbatim as one last word
 * (for prompts: apostrophes and quotes stay as typed).
 */
export function splitLeadingWords(raw: string, count: number): string[] {
  const words: string[] = [];
  let rest = raw.trimStart();
  while (words.length < count && rest !== '') {
    const match = /^("[^"]*"|'[^']*'|\S+)\s*/.exec(rest)!;
    words.push(...splitArgv(match[1]!));
    rest = rest.slice(match[0].length);
  }
  if (rest.trim() !== '') words.push(rest.trim());
  return words;
}
