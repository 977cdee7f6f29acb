import type { ConfigService } from '@nestjs/config';
import { type Cidr, type Env, parseCidrList, parseDnsServers, parseRetrySchedule } from '@app/config';
import type { DnsSettings } from './dns-resolver';
import { type RetentionSettings, retentionSettings } from './retention/retention-settings';

/** `api`: claim loops per DELIVERY_CONCURRENCY (0 = off). `standalone` (`cli worker`): at least one loop. */
export const DELIVERY_WORKER_MODE = Symbol('DELIVERY_WORKER_MODE');
export type DeliveryWorkerMode = 'api' | 'standalone';

export const DELIVERY_WORKER_SETTINGS = Symbol('DELIVERY_WORKER_SETTINGS');

/** The worker's bounds, derived once from the validated configuration. */
export interface DeliveryWorkerSettings {
  loops: number;
  maxInFlight: number;
  maxPerWebhook: number;
  batchSize: number;
  /** Smallest claim worth a query while requests are in flight. */
  minClaim: number;
  pollMs: number;
  timeoutMs: number;
  leaseMs: number;
  reaperMs: number;
  disableAfterMs: number;
  disableCheckIntervalMs: number;
  idempotencyTtlHours: number;
  /** A paused webhook's queued deliveries fail after this long paused; 0 = never. */
  pausedExpireMs: number;
  retrySchedule: number[];
  strict: boolean;
  allowedCidrs: Cidr[];
  dns: DnsSettings;
  retention: RetentionSettings;
  /** Processes sharing a webhook's send rate while Redis is down (each sends at rate / this). */
  rateFallbackProcesses: number;
  /** Bound on one send-rate check in Redis. */
  redisTimeoutMs: number;
  /** Most deliveries waiting in process for their send-rate slot: the rest of the in-flight slots stay free for others. */
  maxRateWaiting: number;
}

export function deliveryWorkerSettings(config: ConfigService<Env, true>, mode: DeliveryWorkerMode): DeliveryWorkerSettings {
  const get = <K extends keyof Env>(k: K) => config.get(k, { infer: true }) as Env[K];
  const concurrency = get('DELIVERY_CONCURRENCY');
  const maxInFlight = get('DELIVERY_MAX_IN_FLIGHT');
  const batchSize = get('DELIVERY_BATCH_SIZE');
  const timeoutMs = get('WEBHOOK_TIMEOUT_MS');
  const disableAfterMs = get('WEBHOOK_DISABLE_AFTER_HOURS') * 3_600_000;
  return {
    loops: mode === 'standalone' ? Math.max(1, concurrency) : concurrency,
    maxInFlight,
    maxPerWebhook: Math.min(get('DELIVERY_MAX_IN_FLIGHT_PER_WEBHOOK'), maxInFlight),
    batchSize,
    minClaim: Math.max(1, Math.min(batchSize, Math.floor(maxInFlight / 4))),
    pollMs: get('DELIVERY_POLL_INTERVAL_MS'),
    timeoutMs,
    // A lease shorter than a request could expire mid-send and let a second worker start the same delivery.
    leaseMs: Math.max(get('DELIVERY_LEASE_MS'), timeoutMs + 5000),
    reaperMs: get('DELIVERY_REAPER_INTERVAL_MS'),
    disableAfterMs,
    // How often one webhook's failure streak is measured: rarely (it reads the attempt log), but often enough
    // relative to the threshold that disabling is not late by much.
    disableCheckIntervalMs: Math.min(30_000, Math.max(100, disableAfterMs / 4)),
    idempotencyTtlHours: get('IDEMPOTENCY_TTL_HOURS'),
    pausedExpireMs: Math.round(get('DELIVERY_PAUSED_EXPIRE_HOURS') * 3_600_000),
    retrySchedule: parseRetrySchedule(get('WEBHOOK_RETRY_SCHEDULE')) ?? [0],
    strict: get('STRICT'),
    allowedCidrs: parseCidrList(get('WEBHOOK_ALLOWED_CIDRS')) ?? [],
    dns: {
      servers: parseDnsServers(get('DELIVERY_DNS_SERVERS')) ?? [],
      timeoutMs: get('DELIVERY_DNS_TIMEOUT_MS'),
      tries: get('DELIVERY_DNS_TRIES'),
      maxConcurrent: get('DELIVERY_DNS_MAX_CONCURRENT'),
      queueWaitMs: get('DELIVERY_DNS_QUEUE_WAIT_MS'),
      cacheSize: get('DELIVERY_DNS_CACHE_SIZE'),
      negativeTtlMs: get('DELIVERY_DNS_NEGATIVE_TTL_MS'),
    },
    retention: retentionSettings({
      RETENTION_INTERVAL_MS: get('RETENTION_INTERVAL_MS'),
      RETENTION_BATCH_SIZE: get('RETENTION_BATCH_SIZE'),
      RETENTION_STATEMENT_TIMEOUT_MS: get('RETENTION_STATEMENT_TIMEOUT_MS'),
      DELIVERY_RETENTION_DAYS: get('DELIVERY_RETENTION_DAYS'),
      DELIVERY_FAILED_RETENTION_DAYS: get('DELIVERY_FAILED_RETENTION_DAYS'),
      ALERT_RETENTION_DAYS: get('ALERT_RETENTION_DAYS'),
    }),
    rateFallbackProcesses: get('DELIVERY_RATE_FALLBACK_PROCESSES'),
    redisTimeoutMs: get('REDIS_COMMAND_TIMEOUT_MS'),
    maxRateWaiting: Math.max(1, Math.floor(maxInFlight / 2)),
  };
}
