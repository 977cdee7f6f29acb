import { createSecretKey, type KeyObject } from 'node:crypto';
import * as jwt from 'jsonwebtoken';

/** OAuth-style scopes; `admin` grants all of them. */
export const SCOPES = ['alerts:read', 'alerts:write', 'webhooks:read', 'webhooks:write', 'deliveries:write', 'cache:admin'] as const;
export type Scope = (typeof SCOPES)[number];
export const ADMIN_SCOPE = 'admin';

export interface Principal {
  sub: string;
  scopes: Set<string>;
}

export type TokenProblem = 'malformed' | 'bad_signature' | 'expired' | 'invalid_claims';

/**
 * The HMAC key as a KeyObject, made once: given a string, jsonwebtoken first tries to parse it as a public key on
 * every call (a thrown and caught error), which was a fifth of the API's CPU under load.
 */
export function hmacKey(secret: string): KeyObject {
  return createSecretKey(Buffer.from(secret, 'utf8'));
}

/** The longest a token may claim to live: `exp` (and `nbf`, `iat`) further out than this is refused (`cli token` caps at 366 days). */
export const MAX_TOKEN_HORIZON_S = 10 * 366 * 86_400;

/**
 * A NumericDate claim the service can compare: finite (JSON's `1e309` parses to Infinity, which jsonwebtoken takes as
 * "never expires"), not before the epoch, and not beyond the horizon.
 */
function saneTime(value: unknown, nowS: number, required: boolean): boolean {
  if (value === undefined) return !required;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= nowS + MAX_TOKEN_HORIZON_S;
}

/** Verifies an HS256 bearer token (any standard JWT library with the same secret makes valid ones). */
export function verifyToken(token: string, key: string | KeyObject): Principal | TokenProblem {
  let payload: string | jwt.JwtPayload;
  try {
    payload = jwt.verify(token, typeof key === 'string' ? hmacKey(key) : key, { algorithms: ['HS256'], clockTolerance: 5 });
  } catch (e) {
    if (e instanceof jwt.TokenExpiredError) return 'expired';
    if (e instanceof jwt.JsonWebTokenError && /signature/i.test(e.message)) return 'bad_signature';
    return 'malformed';
  }
  const nowS = Date.now() / 1000;
  if (
    typeof payload !== 'object' ||
    typeof payload.sub !== 'string' ||
    !payload.sub ||
    !saneTime(payload.exp, nowS, true) ||
    !saneTime(payload.nbf, nowS, false) ||
    !saneTime(payload.iat, nowS, false)
  ) {
    return 'invalid_claims';
  }
  const scope = (payload as { scope?: unknown }).scope;
  const scopes = new Set(typeof scope === 'string' ? scope.split(' ').filter(Boolean) : []);
  return { sub: payload.sub, scopes };
}

export function hasScope(principal: Principal, scope: Scope): boolean {
  return principal.scopes.has(ADMIN_SCOPE) || principal.scopes.has(scope);
}

/** Mints a token (`cli token`, tests). */
export function signToken(secret: string, sub: string, scopes: string[], ttlSeconds: number): string {
  return jwt.sign({ scope: scopes.join(' ') }, secret, { algorithm: 'HS256', subject: sub, expiresIn: ttlSeconds });
}

/** `90s`, `15m`, `1h`, `7d` → seconds; undefined when malformed. */
export function parseTtl(text: string): number | undefined {
  const m = /^(\d+)(s|m|h|d)?$/.exec(text.trim());
  if (!m) return undefined;
  const seconds = Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  return seconds > 0 && seconds <= 366 * 86400 ? seconds : undefined;
}
