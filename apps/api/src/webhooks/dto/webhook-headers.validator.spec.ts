import { validateHeaderValue } from 'node:http';
import { headerProblem } from './webhook-headers.validator';

/** Values Node's HTTP client would throw on at send time, and the controls it lets through that no receiver expects. */
const UNSENDABLE: Array<[string, string]> = [
  ['an emoji', '🔥'],
  ['a CJK character', '警报'],
  ['a newline', 'a\nb'],
  ['a carriage return', 'a\rb'],
  ['NUL', 'a\0b'],
  ['another C0 control', 'a\x1bb'],
  ['DEL', 'a\x7fb'],
  ['a C1 control', 'a\x85b'],
  ['a zero-width space', 'a\u200bb'],
  ['a zero-width joiner', 'a\u200db'],
  ['a right-to-left override', '\u202eevil'],
  ['a left-to-right mark', 'a\u200eb'],
  ['a byte order mark', '\ufefftoken'],
  ['a noncharacter', 'a\ufffeb'],
  ['a supplementary noncharacter', 'a\u{10ffff}b'],
  ['a lone surrogate', 'a\ud800b'],
  ['a line separator', 'a\u2028b'],
];

describe('headerProblem (custom webhook header values)', () => {
  it.each(UNSENDABLE)('refuses %s and names the header and the character', (_label, value) => {
    const problem = headerProblem('X-Custom', value);
    expect(problem).toMatch(/^"X-Custom" value contains a/);
    expect(problem).toMatch(/U\+[0-9A-F]{4,6} at position \d+/);
  });

  it('names the first offending code point, not a surrogate half', () => {
    expect(headerProblem('X-Fire', 'ok 🔥')).toContain('U+1F525 at position 3');
    expect(headerProblem('X-Tab', 'a\u0085')).toContain('control character (U+0085 at position 1)');
  });

  it('accepts tab, printable ASCII and Latin-1 letters, which Node sends', () => {
    for (const value of ['ops', 'Bearer abc.def-ghi_jkl~', 'a\tb', ' !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~', 'Zürich café ñ ÿ', '\u00a0', '']) {
      expect(headerProblem('X-Team', value)).toBeUndefined();
    }
  });

  it('agrees with Node: everything refused for being outside Latin-1 or C0 is what Node would throw on', () => {
    for (const [, value] of UNSENDABLE.filter(([, v]) => !/[\x7f-\x9f]/.test(v))) {
      expect(() => validateHeaderValue('x-custom', value)).toThrow();
    }
    for (let c = 0; c <= 0xff; c += 1) {
      const value = String.fromCharCode(c);
      if (headerProblem('X', value) === undefined) expect(() => validateHeaderValue('x', value)).not.toThrow();
    }
  });
});
