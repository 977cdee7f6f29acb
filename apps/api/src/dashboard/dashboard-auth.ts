import type { IncomingMessage } from 'node:http';
import type { KeyObject } from 'node:crypto';
import * as jwt from 'jsonwebtoken';
import { hasScope, type Principal, verifyToken } from '@app/auth';

/** The sub-protocol a browser offers beside `bearer.<JWT>`; the server selects it, never echoing the token. */
export const DASHBOARD_PROTOCOL = 'signalgate.dashboard.v1';
export const BEARER_PROTOCOL_PREFIX = 'bearer.';

export type HandshakeVerdict = { ok: true; principal: Principal; expiresAt: number } | { ok: false; status: 401 | 403; reason: string };

/** The token from `?token=` or from a `bearer.<JWT>` entry of `Sec-WebSocket-Protocol`. */
export function handshakeToken(req: IncomingMessage): string | undefined {
  const protocols = req.headers['sec-websocket-protocol'];
  if (typeof protocols === 'string') {
    for (const p of protocols.split(',')) {
      const trimmed = p.trim();
      if (trimmed.startsWith(BEARER_PROTOCOL_PREFIX) && trimmed.length > BEARER_PROTOCOL_PREFIX.length) return trimmed.slice(BEARER_PROTOCOL_PREFIX.length);
    }
  }
  const url = req.url ?? '';
  const q = url.indexOf('?');
  if (q < 0) return undefined;
  const token = new URLSearchParams(url.slice(q + 1)).get('token');
  return token ? token : undefined;
}

/** 401 without a valid, unexpired token; 403 without `alerts:read`. The reason never quotes the token. */
export function verifyHandshake(req: IncomingMessage, key: KeyObject): HandshakeVerdict {
  const token = handshakeToken(req);
  if (!token) return { ok: false, status: 401, reason: 'missing token' };
  if (token.length > 8192) return { ok: false, status: 401, reason: 'malformed token' };
  const principal = verifyToken(token, key);
  if (typeof principal === 'string') return { ok: false, status: 401, reason: principal === 'expired' ? 'token expired' : `invalid token (${principal})` };
  if (!hasScope(principal, 'alerts:read')) return { ok: false, status: 403, reason: 'scope alerts:read required' };
  // verifyToken checked the signature and that `exp` is a number; the socket is closed (4401) when it passes.
  const exp = (jwt.decode(token) as { exp?: number } | null)?.exp ?? 0;
  return { ok: true, principal, expiresAt: exp * 1000 };
}
