import { parseCorsOrigins, parseTrustProxy } from './edge-settings';
import { validateEnv } from './validate-env';

describe('parseTrustProxy', () => {
  it.each([
    ['false', false],
    ['', false],
    ['true', true],
    ['2', 2],
    ['10.0.0.0/8, 127.0.0.1', ['10.0.0.0/8', '127.0.0.1']],
  ])('%j → %j', (text, expected) => expect(parseTrustProxy(text)).toEqual(expected));

  it.each(['yes-please', '11', '10.0.0.0/99', 'proxy.example.com'])('%j is refused', (text) => expect(parseTrustProxy(text)).toBeUndefined());
});

describe('parseCorsOrigins', () => {
  it('normalises origins and keeps *', () => {
    expect(parseCorsOrigins('https://A.example.com/, http://localhost:3000,*')).toEqual(['https://a.example.com', 'http://localhost:3000', '*']);
    expect(parseCorsOrigins('')).toEqual([]);
    expect(parseCorsOrigins(undefined)).toEqual([]);
  });

  it.each(['a.example.com', 'https://a.example.com/path', 'ftp://a.example.com', 'https://u:p@a.example.com', 'https://a.example.com?x=1'])(
    '%j is not an origin',
    (text) => expect(parseCorsOrigins(text)).toBeUndefined(),
  );

  it('a malformed value fails validation outside strict mode too, naming the variable', () => {
    expect(validateEnv({ CORS_ORIGINS: 'example.com' }).errors).toEqual([expect.stringMatching(/^CORS_ORIGINS: must be a comma-separated list of origins/)]);
    expect(validateEnv({ CORS_ORIGINS: '*' }).errors).toEqual([]);
    expect(validateEnv({ TRUST_PROXY: 'maybe' }).errors).toEqual([expect.stringMatching(/^TRUST_PROXY: must be false, true/)]);
  });
});
