import { describe, expect, it } from 'vitest';
import { MAX_MODEL_NAME, validateModelName } from './names.js';

describe('validateModelName', () => {
  it.each(['s1', 'my-model', 'gpt_char.v2', 'A'.repeat(MAX_MODEL_NAME), 'console', 'nullable'])('accepts %s', (name) => {
    expect(validateModelName(name)).toBe(name);
  });

  it.each([
    ['', /empty/],
    ['../x', /no paths/],
    ['a/b', /no paths/],
    ['a\\b', /no paths/],
    ['/etc/passwd', /no paths/],
    ['C:evil', /no paths/],
    ['..', /no paths/],
    ['.hidden', /dot/],
    ['-rf', /dash/],
    ['A'.repeat(MAX_MODEL_NAME + 1), /64 characters/],
    ['has space', /letters, digits/],
    ['émile', /letters, digits/],
    ['semi;colon', /letters, digits/],
    ['con', /reserved/],
    ['NUL', /reserved/],
    ['com1.txt', /reserved/],
    ['tmp', /reserved/],
    ['x.tmp', /reserved|saves in progress/],
    ['x.tmp-123', /saves in progress/],
    ['x.partial', /reserved|saves in progress/],
    ['trailing.', /end with a dot/],
  ])('rejects %j', (name, message) => {
    expect(() => validateModelName(name)).toThrow(message);
  });

  it('answers random and adversarial input with a one-line error or the name itself', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 48271) % 2147483647) % n);
    const alphabet = ['a', 'Z', '9', '.', '-', '_', '/', '\\', ' ', '\n', '\0', '\u202e', '😀', '"', "'", ':', '*', '..'];
    for (let i = 0; i < 2000; i++) {
      const name = Array.from({ length: rand(80) }, () => alphabet[rand(alphabet.length)]).join('');
      try {
        expect(validateModelName(name)).toBe(name);
        expect(name).toMatch(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/);
        expect(name).not.toContain('..');
      } catch (error) {
        expect((error as Error).message).toMatch(/^[^\n\0]+$/);
      }
    }
  });
});
