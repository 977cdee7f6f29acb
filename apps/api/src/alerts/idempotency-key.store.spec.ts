import fc from 'fast-check';
import { canonicalJson, legacyRequestHash, requestHash } from './idempotency-key.store';

/** Rebuilds every object with its keys in reverse order, at every depth. */
function reorderDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reorderDeep);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const k of Object.keys(value).reverse()) out[k] = reorderDeep((value as Record<string, unknown>)[k]);
  return out;
}

describe('Idempotency-Key request hash', () => {
  it('is the same for a repeat whose labels list their keys in another order (the 422 defect)', () => {
    const first = { title: 'disk full', severity: 'warning', labels: { host: 'db1', alertname: 'Disk' } };
    const repeat = { title: 'disk full', severity: 'warning', labels: { alertname: 'Disk', host: 'db1' } };
    expect(requestHash(repeat)).toBe(requestHash(first));
    // The old hash told them apart: this is what answered 422.
    expect(legacyRequestHash(repeat)).not.toBe(legacyRequestHash(first));
  });

  it('tells different bodies apart, at any depth, and keeps array order', () => {
    const body = { title: 't', labels: { a: '1' }, nested: { deeper: { x: [1, 2] } } };
    expect(requestHash({ ...body, labels: { a: '2' } })).not.toBe(requestHash(body));
    expect(requestHash({ ...body, nested: { deeper: { x: [2, 1] } } })).not.toBe(requestHash(body));
    expect(requestHash({ ...body, labels: { a: '1', b: '1' } })).not.toBe(requestHash(body));
  });

  it('keeps a "__proto__" key (an own property after JSON.parse) apart from other values', () => {
    const body = (v: string) => JSON.parse(`{"title":"t","labels":{"__proto__":"${v}"}}`) as unknown;
    expect(requestHash(body('a'))).not.toBe(requestHash(body('b')));
  });

  it('hashes a validated DTO instance like the plain body (undefined fields dropped, as JSON drops them)', () => {
    class Dto {
      title = 't';
      source: string | undefined = undefined;
      labels = { b: '2', a: '1' };
    }
    expect(requestHash(new Dto())).toBe(requestHash({ labels: { a: '1', b: '2' }, title: 't' }));
  });

  it('canonical JSON ignores key order at every depth and loses nothing', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const canonical = canonicalJson(value);
        expect(canonicalJson(reorderDeep(value))).toBe(canonical);
        expect(JSON.parse(canonical)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });
});
