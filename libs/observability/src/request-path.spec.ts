import fc from 'fast-check';
import { canonicalRequestPath, isProbeRoute } from './request-path';

describe('canonicalRequestPath', () => {
  it.each([
    ['/api/v%31/alerts', '/api/v1/alerts'],
    ['/%61pi/v1/alerts', '/api/v1/alerts'],
    ['/%41%70%69', '/Api'],
    ['/api/v1/%7e%2d%2E%5F', '/api/v1/~-._'],
    ['/h%65alth/live?x=%61', '/health/live?x=%61'],
    ['/api/v1/webhooks/a%2fb', '/api/v1/webhooks/a%2Fb'],
    ['/api/v1/alerts/%c3%a9', '/api/v1/alerts/%C3%A9'],
    ['/a%zz%2', '/a%zz%2'],
    ['/a%', '/a%'],
    ['/a%6', '/a%6'],
    ['/a%6?1', '/a%6?1'],
  ])('%s → %s', (from, to) => expect(canonicalRequestPath(from)).toBe(to));

  it('returns the same string when the path has no escape', () => {
    const url = '/api/v1/alerts?cursor=%61';
    expect(canonicalRequestPath(url)).toBe(url);
  });

  it('is what decoding the path gives, for any escaping of an unreserved path (and is idempotent)', () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/);
    fc.assert(
      fc.property(
        fc.array(segment, { minLength: 1, maxLength: 5 }),
        fc.array(fc.boolean(), { minLength: 60, maxLength: 60 }),
        fc.boolean(),
        (segments, mask, lower) => {
          const plain = `/${segments.join('/')}`;
          let i = 0;
          const encoded = [...plain]
            .map((c) => {
              const hex = c.charCodeAt(0).toString(16).padStart(2, '0');
              return c !== '/' && mask[i++ % mask.length] ? `%${lower ? hex : hex.toUpperCase()}` : c;
            })
            .join('');
          expect(canonicalRequestPath(encoded)).toBe(plain);
          expect(canonicalRequestPath(canonicalRequestPath(encoded))).toBe(plain);
        },
      ),
    );
  });
});

describe('isProbeRoute', () => {
  it.each(['/api/health', '/api/health/live', '/api/ready', '/api/version', '/metrics'])('%s is a probe route', (r) => expect(isProbeRoute(r)).toBe(true));
  it.each([undefined, '/api/v1/alerts', '/api/healthz', '/metricsx', '/api/docs'])('%s is not', (r) => expect(isProbeRoute(r)).toBe(false));
});
