import type { Env } from '@app/config';
import type { RedisOptions } from 'ioredis';

/**
 * Bounded client behaviour (docs/PROBES.md, "Bounded and shared"): no offline queue, so a command during an outage fails at once
 * instead of waiting for a reconnect; one retry per request; a command timeout for a server that accepts the
 * connection and never answers; reconnection forever with a capped backoff, so Redis coming back is picked up
 * without a restart.
 */
export function buildRedisOptions(env: Env): RedisOptions {
  return {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: env.REDIS_CONNECT_TIMEOUT_MS,
    commandTimeout: env.REDIS_COMMAND_TIMEOUT_MS,
    retryStrategy: (times: number) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
    reconnectOnError: () => false,
    connectionName: env.DB_APPLICATION_NAME,
    lazyConnect: false,
  };
}
