/**
 * What a non-HTTP error thrown by pg, TypeORM or ioredis means for the caller: a dependency outage (503, retry
 * later) or a PostgreSQL data exception (SQLSTATE class 22: the request carried a value PostgreSQL refuses, 400).
 * Anything else stays a 500.
 */
export type ErrorClass = { kind: 'outage'; dependency: 'database' | 'redis' } | { kind: 'data'; code: string; field: string; message: string };

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);
// 08xxx connection exception; 57P01-03 admin/crash shutdown, cannot connect now; 57014 statement timeout;
// 53300 too many connections.
const OUTAGE_SQLSTATE = /^(08...|57P0[123]|57014|53300)$/;
const PG_CONNECTION_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Connection terminated due to connection timeout/i;
const REDIS_MESSAGE = /Connection is closed|enableOfflineQueue|max retries per request/i;

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  column?: unknown;
  driverError?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** The error and what it wraps (TypeORM's driverError, `cause`, an AggregateError's members), bounded. */
function chain(error: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  const queue: unknown[] = [error];
  while (queue.length && out.length < 8) {
    const e = queue.shift();
    if (typeof e !== 'object' || e === null) continue;
    const x = e as ErrorLike;
    out.push(x);
    queue.push(x.driverError, x.cause);
    if (Array.isArray(x.errors)) queue.push(...(x.errors as unknown[]).slice(0, 3));
  }
  return out;
}

export function classifyError(error: unknown): ErrorClass | undefined {
  const links = chain(error);
  for (const e of links) {
    const code = typeof e.code === 'string' ? e.code : '';
    const message = typeof e.message === 'string' ? e.message : '';
    if (e.name === 'MaxRetriesPerRequestError' || REDIS_MESSAGE.test(message)) return { kind: 'outage', dependency: 'redis' };
    if (OUTAGE_SQLSTATE.test(code) || NETWORK_CODES.has(code) || PG_CONNECTION_MESSAGE.test(message)) return { kind: 'outage', dependency: 'database' };
    if (/^22[0-9A-Z]{3}$/.test(code)) {
      return { kind: 'data', code, field: typeof e.column === 'string' && e.column ? e.column : 'request', message };
    }
  }
  return undefined;
}
