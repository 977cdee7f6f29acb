/** The typed view of the validated environment. Read it through `ConfigService<Env, true>`. */
export type AppEnvironment = 'development' | 'test' | 'staging' | 'prod';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Env {
  ENV: AppEnvironment;
  CI_STRICT: boolean;
  /** Derived: ENV is staging/prod or CI_STRICT is on. */
  STRICT: boolean;

  DATABASE_URL?: string;
  DB_POOL_SIZE: number;
  DB_CONNECT_TIMEOUT_MS: number;
  DB_STATEMENT_TIMEOUT_MS: number;
  DB_REQUEST_TIMEOUT_MS: number;
  DB_APPLICATION_NAME: string;
  EMBEDDED_PG_DIR: string;
  EMBEDDED_PG_PORT: number;
  MIGRATION_LOCK_TIMEOUT_MS: number;
  MIGRATE_ON_BOOT: boolean;

  REDIS_URL?: string;
  REDIS_CONNECT_TIMEOUT_MS: number;
  REDIS_COMMAND_TIMEOUT_MS: number;

  SECRET_KEY: string;
  /** Derived: SECRET_KEY was not set and a random per-process key is in use. */
  SECRET_KEY_GENERATED: boolean;

  PORT: number;
  HOST: string;
  READINESS_TIMEOUT_MS: number;
  SHUTDOWN_DELAY_MS: number;
  SHUTDOWN_TIMEOUT_MS: number;
  HEALTH_DISK_PATH: string;
  HEALTH_DISK_THRESHOLD_PERCENT: number;
  HEALTH_HEAP_LIMIT_MB: number;

  LOG_LEVEL: LogLevel;
  LOG_PRETTY: boolean;
  BODY_LIMIT_BYTES: number;
  /** Raw text; parse with `parseTrustProxy` (validated at boot). */
  TRUST_PROXY: string;
  /** Raw text (may be unset); parse with `parseCorsOrigins` (validated at boot). */
  CORS_ORIGINS?: string;

  // rate limits (issue 8)
  RATE_LIMIT_ENABLED: boolean;
  RATE_LIMIT_LIMIT: number;
  RATE_LIMIT_WINDOW_SECONDS: number;
  RATE_LIMIT_INTAKE_LIMIT: number;
  RATE_LIMIT_REDIS_TIMEOUT_MS: number;

  // delivery (issue 5)
  DELIVERY_CONCURRENCY: number;
  DELIVERY_MAX_IN_FLIGHT: number;
  DELIVERY_MAX_IN_FLIGHT_PER_WEBHOOK: number;
  DELIVERY_BATCH_SIZE: number;
  DELIVERY_POLL_INTERVAL_MS: number;
  DELIVERY_RATE_FALLBACK_PROCESSES: number;
  DELIVERY_LEASE_MS: number;
  DELIVERY_REAPER_INTERVAL_MS: number;
  WORKER_METRICS_PORT: number;
  WEBHOOK_TIMEOUT_MS: number;
  /** Raw text; parse with `parseRetrySchedule` (validated at boot). */
  WEBHOOK_RETRY_SCHEDULE: string;
  WEBHOOK_DISABLE_AFTER_HOURS: number;
  /** 0 = paused webhooks' deliveries never expire. */
  DELIVERY_PAUSED_EXPIRE_HOURS: number;
  /** Raw text; parse with `parseCidrList` (validated at boot). */
  WEBHOOK_ALLOWED_CIDRS: string;
  /** Raw text; parse with `parseDnsServers` (validated at boot). */
  DELIVERY_DNS_SERVERS: string;
  DELIVERY_DNS_TIMEOUT_MS: number;
  DELIVERY_DNS_TRIES: number;
  DELIVERY_DNS_MAX_CONCURRENT: number;
  DELIVERY_DNS_QUEUE_WAIT_MS: number;
  DELIVERY_DNS_CACHE_SIZE: number;
  DELIVERY_DNS_NEGATIVE_TTL_MS: number;
  ALERT_MAX_LABELS: number;
  ALERT_MAX_LABEL_VALUE_LENGTH: number;
  ALERT_MAX_ANNOTATION_VALUE_LENGTH: number;
  ALERTMANAGER_MAX_ALERTS: number;
  ALERTMANAGER_MAX_DELIVERIES: number;
  INTAKE_BATCH_MAX_SIZE: number;
  INTAKE_BATCH_MAX_WAIT_MS: number;
  INTAKE_QUEUE_MAX: number;
  IDEMPOTENCY_TTL_HOURS: number;

  // retention (issue 13)
  DELIVERY_RETENTION_DAYS: number;
  DELIVERY_FAILED_RETENTION_DAYS: number;
  ALERT_RETENTION_DAYS: number;
  /** 0 = the job is off. */
  RETENTION_INTERVAL_MS: number;
  RETENTION_BATCH_SIZE: number;
  RETENTION_STATEMENT_TIMEOUT_MS: number;

  // cache (issue 9)
  CACHE_ENABLED: boolean;
  CACHE_L1_MAX_ITEMS: number;
  CACHE_L1_TTL_MS: number;
  CACHE_L2_TTL_MS: number;
  CACHE_HEALTH_TTL_MS: number;
  CACHE_GRACE_MS: number;

  // live dashboard (issue 10)
  WS_MAX_CONNECTIONS: number;
  WS_HEARTBEAT_MS: number;
  WS_MAX_BUFFERED_BYTES: number;
  WS_DELIVERY_COALESCE_MS: number;
  WS_STATS_INTERVAL_MS: number;
}
