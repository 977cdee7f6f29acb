import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { deriveFingerprint, severityFromLabel } from './alert-fingerprint';

/** The fingerprint as it has always been computed: stored fingerprints depend on it never changing. */
function referenceFingerprint(input: { labels?: Record<string, string>; title: string; source?: string | null }): string {
  const labels = Object.entries(input.labels ?? {});
  const basis = labels.length
    ? labels
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => `${k}=${v}`)
        .join('\n')
    : `title=${input.title}\nsource=${input.source ?? ''}`;
  return createHash('sha256').update(basis).digest('hex');
}

describe('deriveFingerprint', () => {
  it('ignores label order, prefers a given fingerprint, falls back to title + source', () => {
    const a = deriveFingerprint({ title: 'x', labels: { b: '2', a: '1' } });
    const b = deriveFingerprint({ title: 'y', labels: { a: '1', b: '2' } });
    expect(a).toBe(b);
    expect(deriveFingerprint({ title: 'x', fingerprint: 'given' })).toBe('given');
    expect(deriveFingerprint({ title: 'x', source: 's' })).not.toBe(deriveFingerprint({ title: 'x', source: 't' }));
  });
  it('is the reference computation for any labels (unicode, surrogates, "=", newlines, numeric-looking keys)', () => {
    const text = fc.string({ unit: 'binary', maxLength: 12 });
    fc.assert(
      fc.property(
        fc.dictionary(fc.oneof(text, fc.constantFrom('0', '10', '2', 'a=b', 'x\ny', '\ud800')), text, { maxKeys: 8 }),
        text,
        fc.option(text),
        (labels, title, source) => {
          expect(deriveFingerprint({ labels, title, source })).toBe(referenceFingerprint({ labels, title, source }));
        },
      ),
      { numRuns: 2000 },
    );
  });
  it('maps Alertmanager severities', () => {
    expect(severityFromLabel('page')).toBe('critical');
    expect(severityFromLabel('error')).toBe('high');
    expect(severityFromLabel(undefined)).toBe('warning');
  });
});
