import type { KeyObject } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { hmacKey, type Principal, type TokenProblem, verifyToken } from './jwt-token';

/** Seconds of clock skew allowed on `exp` and `nbf`, as `verifyToken` allows. */
const CLOCK_TOLERANCE_S = 5;

interface Verified {
  principal: Principal;
  exp: number;
  nbf: number | undefined;
}

/**
 * `verifyToken` with a bounded memo of tokens whose signature already verified: a client sends the same token with
 * every request, and the HMAC, base64 and JSON work of a verify was ~5 % of the intake route's CPU (bench/intake).
 * Only successes are kept, keyed by the whole token string (a forged token cannot match one), and `exp`/`nbf` are
 * checked again on every use with the same tolerance, so a memoised token expires exactly when a fresh verify would
 * say so. The principal is shared between the requests of one token: read-only. Hand-written on lru-cache because
 * jsonwebtoken has no cache (fast-jwt has one, but would be a second JWT library for the same tokens).
 */
export class TokenVerifier {
  private readonly key: KeyObject;
  private readonly verified: LRUCache<string, Verified>;

  constructor(secret: string, maxCached = 1024) {
    this.key = hmacKey(secret);
    this.verified = new LRUCache({ max: maxCached });
  }

  verify(token: string): Principal | TokenProblem {
    const now = Math.floor(Date.now() / 1000);
    const hit = this.verified.get(token);
    if (hit) {
      if (now >= hit.exp + CLOCK_TOLERANCE_S) {
        this.verified.delete(token);
        return 'expired';
      }
      if (hit.nbf === undefined || hit.nbf <= now + CLOCK_TOLERANCE_S) return hit.principal;
      return 'malformed'; // not active yet, as jsonwebtoken's NotBeforeError maps in verifyToken
    }
    const result = verifyToken(token, this.key);
    if (typeof result !== 'string') {
      const { exp, nbf } = claims(token);
      if (exp !== undefined) this.verified.set(token, { principal: result, exp, nbf });
    }
    return result;
  }
}

/** `exp` and `nbf` of a token whose signature and claims verified (so its payload is well-formed JSON). */
function claims(token: string): { exp: number | undefined; nbf: number | undefined } {
  const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as { exp?: unknown; nbf?: unknown };
  return { exp: typeof payload.exp === 'number' ? payload.exp : undefined, nbf: typeof payload.nbf === 'number' ? payload.nbf : undefined };
}
