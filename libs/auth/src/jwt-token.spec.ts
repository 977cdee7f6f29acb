import * as jwt from 'jsonwebtoken';
import { hasScope, parseTtl, signToken, verifyToken } from './jwt-token';

const SECRET = 'unit-secret-0123456789-0123456789-abcdef';

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

  it('parses TTLs', () => {
    expect(parseTtl('1h')).toBe(3600);
    expect(parseTtl('90')).toBe(90);
    expect(parseTtl('7d')).toBe(604800);
    expect(parseTtl('0s')).toBeUndefined();
    expect(parseTtl('soon')).toBeUndefined();
  });
});
