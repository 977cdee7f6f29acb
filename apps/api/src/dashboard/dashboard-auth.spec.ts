import type { IncomingMessage } from 'node:http';
import * as jwt from 'jsonwebtoken';
import { hmacKey, signToken } from '@app/auth';
import { handshakeToken, verifyHandshake } from './dashboard-auth';

const SECRET = 'unit-secret-0123456789-0123456789-abcdef';
const req = (url: string, protocol?: string) => ({ url, headers: protocol ? { 'sec-websocket-protocol': protocol } : {} }) as IncomingMessage;

describe('dashboard handshake', () => {
  const key = hmacKey(SECRET);
  const reader = signToken(SECRET, 'r', ['alerts:read'], 60);

  it('takes the token from ?token= or from a bearer.<JWT> sub-protocol (the latter first)', () => {
    expect(handshakeToken(req(`/api/v1/ws/dashboard?token=${reader}`))).toBe(reader);
    expect(handshakeToken(req('/api/v1/ws/dashboard', `signalgate.dashboard.v1, bearer.${reader}`))).toBe(reader);
    expect(handshakeToken(req('/api/v1/ws/dashboard?token=other', `bearer.${reader}`))).toBe(reader);
    expect(handshakeToken(req('/api/v1/ws/dashboard', 'bearer.'))).toBeUndefined();
    expect(handshakeToken(req('/api/v1/ws/dashboard?token='))).toBeUndefined();
  });

  it('401 without a valid token, 403 without alerts:read, never quoting the token', () => {
    expect(verifyHandshake(req('/x'), key)).toEqual({ ok: false, status: 401, reason: 'missing token' });
    const bad = verifyHandshake(req('/x?token=abc.def.ghi'), key);
    expect(bad).toMatchObject({ ok: false, status: 401 });
    expect(JSON.stringify(bad)).not.toContain('abc.def.ghi');
    const expiredToken = jwt.sign({ sub: 'r', scope: 'alerts:read', exp: Math.floor(Date.now() / 1000) - 60 }, SECRET, { algorithm: 'HS256' });
    expect(verifyHandshake(req(`/x?token=${expiredToken}`), key)).toEqual({ ok: false, status: 401, reason: 'token expired' });
    expect(verifyHandshake(req(`/x?token=${signToken(SECRET, 'w', ['webhooks:read'], 60)}`), key)).toMatchObject({ ok: false, status: 403 });
    expect(verifyHandshake(req(`/x?token=${signToken(`${SECRET}x`, 'r', ['alerts:read'], 60)}`), key)).toMatchObject({ ok: false, status: 401 });
    expect(verifyHandshake(req(`/x?token=${reader}`), key)).toMatchObject({ ok: true, principal: { sub: 'r' } });
    expect(verifyHandshake(req(`/x?token=${signToken(SECRET, 'a', ['admin'], 60)}`), key).ok).toBe(true);
  });
});
