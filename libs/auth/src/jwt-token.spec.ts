import { createHmac } from 'node:crypto';
import * as jwt from 'jsonwebtoken';
import { hasScope, MAX_TOKEN_HORIZON_S, parseTtl, signToken, verifyToken } from './jwt-token';
import { TokenVerifier } from './token-verifier';

const SECRET = 'unit-secret-0123456789-0123456789-abcdef';

/** An HS256 token over a payload written as raw JSON text (`1e309` cannot come out of JSON.stringify). */
function rawToken(payloadJson: string): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64url');
  const head = `${b64('{"alg":"HS256","typ":"JWT"}')}.${b64(payloadJson)}`;
  return `${head}.${createHmac('sha256', SECRET).update(head).digest('base64url')}`;
}

describe('jwt-token', () => {
  it('round-trips sub and scopes; admin grants every scope', () => {
    const p = verifyToken(signToken(SECRET, 'svc', ['alerts:read'], 60), SECRET);
    expect(typeof p).toBe('object');
    if (typeof p === 'string') return;
    expect(p.sub).toBe('svc');
    expect(hasScope(p, 'alerts:read')).toBe(true);
    expect(hasScope(p, 'alerts:write')).toBe(false);
    const admin = verifyToken(signToken(SECRET, 'root', ['admin'], 60), SECRET);
    expect(typeof admin !== 'string' && hasScope(admin, 'deliveries:write')).toBe(true);
  });

  it('accepts a token from a plain jsonwebtoken call, rejects bad ones by kind', () => {
    const t = jwt.sign({ sub: 'x', scope: 'webhooks:read' }, SECRET, { algorithm: 'HS256', expiresIn: 60 });
    expect(typeof verifyToken(t, SECRET)).toBe('object');
    expect(verifyToken(t, `${SECRET}x`)).toBe('bad_signature');
    expect(verifyToken('not.a.token', SECRET)).toBe('malformed');
    const expired = jwt.sign({ sub: 'x', exp: Math.floor(Date.now() / 1000) - 60 }, SECRET, { algorithm: 'HS256' });
    expect(verifyToken(expired, SECRET)).toBe('expired');
    const noExp = jwt.sign({ sub: 'x' }, SECRET, { algorithm: 'HS256' });
    expect(verifyToken(noExp, SECRET)).toBe('invalid_claims');
    const hs512 = jwt.sign({ sub: 'x' }, SECRET, { algorithm: 'HS512', expiresIn: 60 });
    expect(verifyToken(hs512, SECRET)).toBe('malformed');
  });

  it('refuses a non-finite or absurd exp, nbf or iat (1e309 parses to Infinity: a token that never expires)', () => {
    const now = Math.floor(Date.now() / 1000);
    expect(typeof verifyToken(rawToken(`{"sub":"x","exp":${now + 60}}`), SECRET)).toBe('object');
    expect(typeof verifyToken(rawToken(`{"sub":"x","exp":${now + MAX_TOKEN_HORIZON_S - 60}}`), SECRET)).toBe('object');
    for (const claims of [
      '"exp":1e309',
      `"exp":${now + MAX_TOKEN_HORIZON_S + 60}`,
      '"exp":9007199254740993',
      `"exp":${now + 60},"nbf":-1e309`,
      `"exp":${now + 60},"nbf":-5`,
      `"exp":${now + 60},"iat":1e309`,
    ]) {
      const token = rawToken(`{"sub":"x",${claims}}`);
      expect([claims, verifyToken(token, SECRET)]).toEqual([claims, 'invalid_claims']);
      // The memoising verifier the API guard uses refuses it too (and so never caches it).
      const verifier = new TokenVerifier(SECRET);
      expect([claims, verifier.verify(token), verifier.verify(token)]).toEqual([claims, 'invalid_claims', 'invalid_claims']);
    }
  });

  it('parses TTLs', () => {
    expect(parseTtl('1h')).toBe(3600);
    expect(parseTtl('90')).toBe(90);
    expect(parseTtl('7d')).toBe(604800);
    expect(parseTtl('0s')).toBeUndefined();
    expect(parseTtl('soon')).toBeUndefined();
  });
});
