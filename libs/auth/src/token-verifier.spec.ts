import * as jwt from 'jsonwebtoken';
import * as jwtToken from './jwt-token';
import { TokenVerifier } from './token-verifier';

const SECRET = 'unit-secret-0123456789-0123456789-abcdef';
const sign = (claims: object, options: jwt.SignOptions = {}) =>
  jwt.sign({ sub: 'svc', scope: 'alerts:read', ...claims }, SECRET, { algorithm: 'HS256', ...options });

describe('TokenVerifier', () => {
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('verifies a token once, then answers its repeats from the memo with the same principal', () => {
    const spy = jest.spyOn(jwtToken, 'verifyToken');
    const verifier = new TokenVerifier(SECRET);
    const token = sign({}, { expiresIn: 60 });
    const first = verifier.verify(token);
    expect(first).toEqual({ sub: 'svc', scopes: new Set(['alerts:read']) });
    expect(verifier.verify(token)).toBe(first);
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('never memoises a failure: a bad signature, a malformed or an expired token is refused every time', () => {
    const spy = jest.spyOn(jwtToken, 'verifyToken');
    const verifier = new TokenVerifier(SECRET);
    const forged = jwt.sign({ sub: 'svc', exp: Math.floor(Date.now() / 1000) + 60 }, `${SECRET}x`, { algorithm: 'HS256' });
    const expired = sign({ exp: Math.floor(Date.now() / 1000) - 60 });
    for (let i = 0; i < 2; i += 1) {
      expect(verifier.verify(forged)).toBe('bad_signature');
      expect(verifier.verify('not.a.token')).toBe('malformed');
      expect(verifier.verify(expired)).toBe('expired');
    }
    expect(spy).toHaveBeenCalledTimes(6);
  });

  it('a memoised token expires when a fresh verify would refuse it (exp + 5 s tolerance)', () => {
    jest.useFakeTimers({ now: new Date('2026-12-01T12:00:00Z') });
    const verifier = new TokenVerifier(SECRET);
    const exp = Math.floor(Date.now() / 1000) + 10;
    const token = sign({ exp });
    expect(typeof verifier.verify(token)).toBe('object');
    jest.setSystemTime((exp + 4) * 1000);
    expect(typeof verifier.verify(token)).toBe('object');
    expect(typeof jwtToken.verifyToken(token, SECRET)).toBe('object');
    jest.setSystemTime((exp + 5) * 1000);
    expect(verifier.verify(token)).toBe('expired');
    expect(jwtToken.verifyToken(token, SECRET)).toBe('expired');
  });

  it('a token with nbf is refused while not yet active, as verifyToken refuses it', () => {
    jest.useFakeTimers({ now: new Date('2026-12-01T12:00:00Z') });
    const verifier = new TokenVerifier(SECRET);
    const now = Math.floor(Date.now() / 1000);
    const token = sign({ nbf: now - 1, exp: now + 600 });
    expect(typeof verifier.verify(token)).toBe('object');
    const later = sign({ nbf: now + 60, exp: now + 600 });
    expect(verifier.verify(later)).toBe('malformed');
    expect(jwtToken.verifyToken(later, SECRET)).toBe('malformed');
  });

  it('keeps at most maxCached tokens: the least recently used is verified again', () => {
    const spy = jest.spyOn(jwtToken, 'verifyToken');
    const verifier = new TokenVerifier(SECRET, 2);
    const [a, b, c] = ['a', 'b', 'c'].map((sub) => sign({ sub }, { expiresIn: 60 }));
    for (const t of [a, b, c, c, b, a]) verifier.verify(t);
    // a, b, c verified; c and b from the memo; a was evicted by c, so verified again.
    expect(spy).toHaveBeenCalledTimes(4);
  });

  it('a token signed with another secret never matches a memoised one', () => {
    const verifier = new TokenVerifier(SECRET);
    const good = sign({}, { expiresIn: 60 });
    expect(typeof verifier.verify(good)).toBe('object');
    const [header, payload] = good.split('.');
    const tampered = `${header}.${payload}.${Buffer.from('x'.repeat(32)).toString('base64url')}`;
    expect(verifier.verify(tampered)).toBe('bad_signature');
  });
});
