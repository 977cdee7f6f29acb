import { corsOptionsFor, rewriteSeedAlias, securityHeaders } from './configure-edge';

describe('rewriteSeedAlias', () => {
  it.each([
    ['/health', '/api/health'],
    ['/health/', '/api/health'],
    ['/health/live', '/api/health/live'],
    ['/health/ready?verbose=1', '/api/health/ready?verbose=1'],
    ['/health/startup', '/api/health/startup'],
    ['/health/deep', '/api/health/deep'],
    ['/health/detailed', '/api/health/deep'],
    ['/metrics/prometheus', '/metrics'],
  ])('%s → %s', (from, to) => expect(rewriteSeedAlias(from)).toBe(to));

  it.each(['/api/health', '/metrics', '/healthz', '/health/live/x', '/api/v1/alerts', '/'])('%s is left alone', (url) =>
    expect(rewriteSeedAlias(url)).toBe(url),
  );
});

describe('corsOptionsFor', () => {
  it('listed origins get credentials, * others without, the rest nothing', () => {
    const of = corsOptionsFor({ ENV: 'test', CORS_ORIGINS: 'https://a.example.com,*' });
    expect(of('https://a.example.com')).toMatchObject({ origin: 'https://a.example.com', credentials: true });
    expect(of('https://b.example.com')).toMatchObject({ origin: '*', credentials: false });
    expect(of(undefined)).toEqual({ origin: false });
    const strictList = corsOptionsFor({ ENV: 'prod', CORS_ORIGINS: 'https://a.example.com' });
    expect(strictList('https://b.example.com')).toEqual({ origin: false });
  });

  it('unset: localhost origins in development only', () => {
    expect(corsOptionsFor({ ENV: 'development', CORS_ORIGINS: undefined })('http://localhost:5173')).toMatchObject({ credentials: true });
    expect(corsOptionsFor({ ENV: 'development', CORS_ORIGINS: undefined })('https://evil.example')).toEqual({ origin: false });
    expect(corsOptionsFor({ ENV: 'staging', CORS_ORIGINS: undefined })('http://localhost:5173')).toEqual({ origin: false });
  });
});

describe('securityHeaders', () => {
  it("is helmet's header set for the service's options, computed once", () => {
    const headers = securityHeaders();
    expect(headers['Content-Security-Policy']).toBe(
      "default-src 'none';script-src 'self';style-src 'self' 'unsafe-inline';img-src 'self' data:;font-src 'self';connect-src 'self';base-uri 'none';form-action 'self';frame-ancestors 'none';object-src 'none'",
    );
    expect(headers).toMatchObject({
      'X-Frame-Options': 'DENY',
      'X-Content-Type-Options': 'nosniff',
      'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
      'Cross-Origin-Opener-Policy': 'same-origin',
    });
    for (const feature of ['camera', 'microphone', 'geolocation', 'payment', 'usb']) expect(headers['Permissions-Policy']).toContain(`${feature}=()`);
    expect(headers['Permissions-Policy']).toMatch(/^([a-z-]+=\(\))(, [a-z-]+=\(\))*$/);
  });

  it('follows the options it is given', () => {
    expect(securityHeaders({ contentSecurityPolicy: false, frameguard: { action: 'sameorigin' } })).toMatchObject({ 'X-Frame-Options': 'SAMEORIGIN' });
    expect(securityHeaders({ contentSecurityPolicy: false })['Content-Security-Policy']).toBeUndefined();
  });
});
