// The one corpus snippet for tests: short, repetitive (a tiny model learns it in a few steps), all lowercase
// letters, spaces, dots and a newline.
export const TINY_TEXT =
  'the cat sat on the mat. the dog sat on the log. a cat and a dog sat on a mat by the log.\n'.repeat(40);
