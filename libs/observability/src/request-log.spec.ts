import { maskRequestUrl, pickLoggedHeaders, serializeRequest } from './request-log';

describe('request log allow-lists', () => {
  const SECRET = 'S3ntinel-secret-value';

  it.each(['token', 'access_token', 'password', 'jwt', 'bearer', 'authorization', 'id_token', 'api_key', 'X-Whatever', 'sig'])(
    'masks the value of ?%s= and keeps the key',
    (key) => {
      const out = maskRequestUrl(`/api/v1/ws/dashboard?${key}=${SECRET}&limit=5`) as string;
      expect(out).toBe(`/api/v1/ws/dashboard?${key}=***&limit=5`);
    },
  );

  it('keeps allow-listed values, repeated keys and separators; masks bare keys not on the list', () => {
    expect(maskRequestUrl('/api/v1/alerts?status=firing&severity=high&since=2026-01-01&cursor=abc&limit=10')).toBe(
      '/api/v1/alerts?status=firing&severity=high&since=2026-01-01&cursor=abc&limit=10',
    );
    expect(maskRequestUrl(`/x?token=${SECRET}&token=${SECRET};pass=${SECRET}&flag&=`)).toBe('/x?token=***&token=***;pass=***&***&***');
    expect(maskRequestUrl(`/x?${SECRET}&limit`)).toBe('/x?***&limit');
    expect(maskRequestUrl('/x')).toBe('/x');
    expect(maskRequestUrl('/x?')).toBe('/x?');
  });

  it('masks keys that are not name-shaped (a bare token as the whole query) and encoded allow-list look-alikes', () => {
    const jwt = `eyJhbGciOiJIUzI1NiJ9.${'a'.repeat(80)}.sig`;
    expect(maskRequestUrl(`/x?${jwt}`)).toBe('/x?***');
    expect(maskRequestUrl(`/x?a%20b=${SECRET}`)).toBe('/x?***');
    // %6Cimit is "limit": allowed by its decoded name, the raw key kept as sent
    expect(maskRequestUrl('/x?%6Cimit=5')).toBe('/x?%6Cimit=5');
    expect(maskRequestUrl(`/x?%=${SECRET}`)).toBe('/x?***');
  });

  it('masks the password and fragment of an absolute URL, keeping scheme, user, host, port and path', () => {
    expect(maskRequestUrl(`https://user:${SECRET}@hooks.example.com:8443/in/path?code=${SECRET}&limit=1#${SECRET}`)).toBe(
      'https://user:***@hooks.example.com:8443/in/path?code=***&limit=1#***',
    );
  });

  it('clips long allowed values and passes non-strings through', () => {
    expect((maskRequestUrl(`/x?cursor=${'c'.repeat(1000)}`) as string).length).toBeLessThan(300);
    expect(maskRequestUrl(undefined)).toBeUndefined();
    expect(maskRequestUrl(42)).toBe(42);
  });

  it('logs headers by allow-list only', () => {
    const headers = {
      host: 'api:8001',
      'user-agent': 'curl/8',
      'content-type': 'application/json',
      'x-request-id': 'r1',
      'x-forwarded-for': ['1.2.3.4', '5.6.7.8'],
      authorization: `Bearer ${SECRET}`,
      'proxy-authorization': `Basic ${SECRET}`,
      'x-auth-token': SECRET,
      'x-api-key': SECRET,
      cookie: `s=${SECRET}`,
      'x-amz-security-token': SECRET,
    };
    expect(pickLoggedHeaders(headers)).toEqual({
      host: 'api:8001',
      'user-agent': 'curl/8',
      'content-type': 'application/json',
      'x-request-id': 'r1',
      'x-forwarded-for': '1.2.3.4, 5.6.7.8',
    });
    expect(pickLoggedHeaders(null)).toEqual({});
  });

  it('serializes a request without its query object and with its url masked', () => {
    const out = serializeRequest({
      id: 'r1',
      method: 'GET',
      url: `/api/v1/alerts?jwt=${SECRET}`,
      query: { jwt: SECRET },
      params: { id: '1' },
      headers: { 'x-auth-token': SECRET, accept: '*/*' },
      remoteAddress: '127.0.0.1',
      remotePort: 5000,
    } as Parameters<typeof serializeRequest>[0]);
    expect(out).toEqual({
      id: 'r1',
      method: 'GET',
      url: '/api/v1/alerts?jwt=***',
      params: { id: '1' },
      headers: { accept: '*/*' },
      remoteAddress: '127.0.0.1',
      remotePort: 5000,
    });
    expect(JSON.stringify(out)).not.toContain(SECRET);
  });
});
