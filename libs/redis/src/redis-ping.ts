import type Redis from 'ioredis';
import { maskText } from '@app/config';
import { DeadlineExceededError, withDeadline } from './deadline';

export interface PingResult {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

/** PING with a hard deadline, whatever state the client is in. Never throws, never outlives `timeoutMs`. */
export async function pingRedis(client: Redis, timeoutMs: number): Promise<PingResult> {
  const started = performance.now();
  try {
    const reply = await withDeadline(client.ping(), timeoutMs, 'PING');
    const latencyMs = Math.round(performance.now() - started);
    if (reply !== 'PONG') return { ok: false, latencyMs, error: `unexpected reply to PING` };
    return { ok: true, latencyMs };
  } catch (e) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: maskText(describeRedisError(e, client)) };
  }
}

function describeRedisError(e: unknown, client: Redis): string {
  if (e instanceof DeadlineExceededError) return e.reason;
  const message = e instanceof Error ? e.message : String(e);
  // ioredis says "Stream isn't writeable..." while disconnected; say what that means.
  if (/Stream isn't writeable|Connection is closed/i.test(message)) return `not connected (client state: ${client.status})`;
  return message;
}
