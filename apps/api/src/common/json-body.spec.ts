import { jsonDepthExceeds, MAX_JSON_DEPTH, nulPaths } from './json-body';

const nested = (n: number): unknown => JSON.parse(`${'{"a":'.repeat(n)}1${'}'.repeat(n)}`);

describe('jsonDepthExceeds', () => {
  it('measures nesting without recursion, even a million levels deep', () => {
    expect(jsonDepthExceeds(nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false);
    expect(jsonDepthExceeds(nested(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(true);
    const deepArray = JSON.parse(`${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`) as unknown;
    expect(jsonDepthExceeds(deepArray, MAX_JSON_DEPTH)).toBe(true);
  });

  it('counts scalars as no depth and finds a deep branch beside shallow ones', () => {
    expect(jsonDepthExceeds('x', 0)).toBe(false);
    expect(jsonDepthExceeds({ a: 1, b: [1, 2], c: { d: nested(40) } }, MAX_JSON_DEPTH)).toBe(true);
  });
});

describe('nulPaths', () => {
  it('names every string holding U+0000, in values and keys, at any depth', () => {
    const body = { title: 'a\u0000b', labels: { ok: 'x', ['k\u0000']: 'v' }, alerts: [{ annotations: { s: '\u0000' } }], n: 1 };
    expect(nulPaths(body)).toEqual(['alerts.0.annotations.s', 'labels.k\\u0000', 'title']);
  });

  it('finds nothing in clean input and names a bare string "body"', () => {
    expect(nulPaths({ a: 'b', c: [null, 1, true] })).toEqual([]);
    expect(nulPaths('\u0000')).toEqual(['body']);
  });
});
