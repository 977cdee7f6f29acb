import { deriveFingerprint, severityFromLabel } from './alert-fingerprint';

describe('deriveFingerprint', () => {
  it('ignores label order, prefers a given fingerprint, falls back to title + source', () => {
    const a = deriveFingerprint({ title: 'x', labels: { b: '2', a: '1' } });
    const b = deriveFingerprint({ title: 'y', labels: { a: '1', b: '2' } });
    expect(a).toBe(b);
    expect(deriveFingerprint({ title: 'x', fingerprint: 'given' })).toBe('given');
    expect(deriveFingerprint({ title: 'x', source: 's' })).not.toBe(deriveFingerprint({ title: 'x', source: 't' }));
  });
  it('maps Alertmanager severities', () => {
    expect(severityFromLabel('page')).toBe('critical');
    expect(severityFromLabel('error')).toBe('high');
    expect(severityFromLabel(undefined)).toBe('warning');
  });
});
