// Generated from libs/config/src/env.schema.ts by `npm run docs:config`. Do not edit by hand: a unit test
// (scripts/generate-config-docs.spec.ts) fails when this file differs from what the schema generates.

/**
 * The typed view of the validated environment: the schema's keys, then the ones `validateEnv` derives.
 * Read it through `ConfigService<Env, true>`.
 */
export interface Env {
  // --- Mode ---
  /**
   * Deployment environment. `staging` and `prod` (or `production`) turn strict mode on.
   * @default 'development'
   */
  ENV: 'development' | 'test' | 'staging' | 'prod';
  /**
   * `1`/`true` turns strict mode on whatever ENV says (CI runs the production rules).
   * @default false
   */
  CI_STRICT: boolean;

  // --- Database ---
  /**
   * PostgreSQL DSN, `postgres://` or `postgresql://` (`postgresql+asyncpg://` is accepted and normalised). Required
   * in strict mode; sqlite is always rejected. Unset outside strict mode: an embedded PostgreSQL is started under
   * EMBEDDED_PG_DIR. Percent-encode special characters in the password.
   * @default required in strict mode; embedded otherwise
   */
  DATABASE_URL?: string;
  /**
   * Maximum connections in the pool of each process.
   * @default 10
   */
  DB_POOL_SIZE: number;
  /**
   * Bound on opening one database connection.
   * @default 5000
   */
  DB_CONNECT_TIMEOUT_MS: number;
  /**
   * PostgreSQL `statement_timeout` for the service's connections (0 disables it).
   * @default 30000
   */
  DB_STATEMENT_TIMEOUT_MS: number;
  /**
   * Bound on each wait of an API request for PostgreSQL: a pooled connection, each statement (also caps the API's
   * `statement_timeout`; the client gives up 500 ms later and drops the connection, for a server that stopped
   * answering) and an alert create waiting in the group commit. Past it the request answers 503 with Retry-After.
   * @default 4000
   */
  DB_REQUEST_TIMEOUT_MS: number;
  /**
   * `application_name` reported to PostgreSQL (visible in pg_stat_activity).
   * @default 'signalgate'
   */
  DB_APPLICATION_NAME: string;
  /**
   * Data directory of the embedded development PostgreSQL (kept across restarts).
   * @default '.data/postgres'
   */
  EMBEDDED_PG_DIR: string;
  /**
   * Port of the embedded development PostgreSQL; 0 picks a free one.
   * @default 0
   */
  EMBEDDED_PG_PORT: number;
  /**
   * How long `migrate up`/`down` wait for another migrator to release the advisory lock.
   * @default 120000
   */
  MIGRATION_LOCK_TIMEOUT_MS: number;
  /**
   * Apply pending migrations when the API boots. Never in strict mode: run `cli migrate up` instead.
   * @default `true` outside strict mode, `false` (and nothing else) in strict mode
   */
  MIGRATE_ON_BOOT: boolean;

  // --- Redis ---
  /**
   * Redis URL, `redis://` or `rediss://`. Required in strict mode. Unset outside strict mode: Redis features degrade
   * and the readiness check reports `disabled`.
   * @default required in strict mode; disabled otherwise
   */
  REDIS_URL?: string;
  /**
   * Bound on opening the Redis connection.
   * @default 2000
   */
  REDIS_CONNECT_TIMEOUT_MS: number;
  /**
   * Bound on any one Redis command; a server that accepts connections and never answers fails fast.
   * @default 2000
   */
  REDIS_COMMAND_TIMEOUT_MS: number;

  // --- Security ---
  /**
   * Signs API tokens (HS256). Required in strict mode, at least 32 characters. Unset outside strict mode: a random
   * per-process key, with a warning.
   * @default required in strict mode; random per process otherwise
   */
  SECRET_KEY: string;

  // --- HTTP ---
  /**
   * HTTP port of the API.
   * @default 8001
   */
  PORT: number;
  /**
   * Address the API listens on.
   * @default '0.0.0.0'
   */
  HOST: string;
  /**
   * Largest accepted request body; larger bodies get 413.
   * @default 262144
   */
  BODY_LIMIT_BYTES: number;
  /**
   * Whether `X-Forwarded-For` decides the client address (rate limits per IP, logs): `false` (the socket peer),
   * `true` (any proxy), a hop count, or the proxies' addresses/CIDRs. Set it when a load balancer fronts the API.
   * Raw text, validated at boot: parse it with `parseTrustProxy`.
   * @default 'false'
   */
  TRUST_PROXY: string;
  /**
   * Browser origins allowed to call the API (CORS), comma-separated. Only listed origins get credentials; `*` allows
   * any origin without credentials and is refused in strict mode. Unset: no cross-origin access, except in
   * `development`, where any http://localhost or http://127.0.0.1 origin is allowed.
   * Raw text, validated at boot: parse it with `parseCorsOrigins`.
   * @default none (development: localhost origins)
   */
  CORS_ORIGINS?: string;

  // --- Rate limits ---
  /**
   * Rate limits on /api/v1 (per token subject, per client IP without a valid token). Probes, /api/version and
   * /metrics are never limited.
   * @default true
   */
  RATE_LIMIT_ENABLED: boolean;
  /**
   * Requests per window for each subject (or IP) on /api/v1 reads and writes other than alert intake.
   * @default 100
   */
  RATE_LIMIT_LIMIT: number;
  /**
   * Length of the rate-limit window (fixed window, shared by all replicas through Redis).
   * @default 60
   */
  RATE_LIMIT_WINDOW_SECONDS: number;
  /**
   * Requests per window for alert intake (`POST /api/v1/alerts`, `POST /api/v1/alerts/alertmanager`), counted apart
   * from the other routes.
   * @default 600
   */
  RATE_LIMIT_INTAKE_LIMIT: number;
  /**
   * Bound on the Redis round trip of one rate-limit check; past it (or with Redis down) the request is limited by an
   * in-process counter instead (fail open, never a 5xx) until Redis answers again.
   * @default 250
   */
  RATE_LIMIT_REDIS_TIMEOUT_MS: number;

  // --- Probes ---
  /**
   * Deadline of each readiness check (database, Redis, migrations).
   * @default 1000
   */
  READINESS_TIMEOUT_MS: number;
  /**
   * After SIGTERM, readiness answers 503 this long before the listener closes. Must be less than SHUTDOWN_TIMEOUT_MS.
   * @default `5000` in strict mode, `0` otherwise
   */
  SHUTDOWN_DELAY_MS: number;
  /**
   * Hard cap on draining after SIGTERM; past it the process exits non-zero.
   * @default 30000
   */
  SHUTDOWN_TIMEOUT_MS: number;
  /**
   * Path whose filesystem the startup probe checks.
   * @default '/'
   */
  HEALTH_DISK_PATH: string;
  /**
   * Startup probe fails when the disk is fuller than this fraction.
   * @default 0.95
   */
  HEALTH_DISK_THRESHOLD_PERCENT: number;
  /**
   * Startup probe fails when the V8 heap is larger than this.
   * @default 1024
   */
  HEALTH_HEAP_LIMIT_MB: number;

  // --- Logging ---
  /**
   * Minimum level of the JSON logs.
   * @default 'info'
   */
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /**
   * Human-readable logs instead of JSON (development on a terminal only; ignored in strict mode).
   * @default false
   */
  LOG_PRETTY: boolean;

  // --- Delivery ---
  /**
   * Delivery claim loops inside the API process; 0 turns in-process delivery off (run `cli worker` instead). Outgoing
   * requests are async: in-flight requests are bounded by DELIVERY_MAX_IN_FLIGHT, not by this.
   * @default 2
   */
  DELIVERY_CONCURRENCY: number;
  /**
   * Bound on concurrent outgoing webhook requests per process.
   * @default 256
   */
  DELIVERY_MAX_IN_FLIGHT: number;
  /**
   * Bound on concurrent requests to one webhook per process, so a slow receiver cannot take every slot.
   * @default 64
   */
  DELIVERY_MAX_IN_FLIGHT_PER_WEBHOOK: number;
  /**
   * Most deliveries claimed by one `FOR UPDATE SKIP LOCKED` query.
   * @default 100
   */
  DELIVERY_BATCH_SIZE: number;
  /**
   * Polling fallback when no LISTEN/NOTIFY wake-up arrives (also picks up scheduled retries).
   * @default 1000
   */
  DELIVERY_POLL_INTERVAL_MS: number;
  /**
   * How many delivery processes (API replicas with workers plus `cli worker`s) share a webhook's
   * rate_limit_per_second while Redis is unreachable: each then sends that webhook at most rate / this. With Redis
   * the rate is shared exactly.
   * @default 1
   */
  DELIVERY_RATE_FALLBACK_PROCESSES: number;
  /**
   * How long a claimed delivery belongs to its worker; must exceed WEBHOOK_TIMEOUT_MS. Expired leases are returned to
   * the queue.
   * @default 60000
   */
  DELIVERY_LEASE_MS: number;
  /**
   * How often expired delivery leases are looked for.
   * @default 5000
   */
  DELIVERY_REAPER_INTERVAL_MS: number;
  /**
   * Port of `cli worker`'s Prometheus listener (GET /metrics on HOST); 0 turns it off. The API serves /metrics on
   * PORT.
   * @default 0
   */
  WORKER_METRICS_PORT: number;
  /**
   * Bound on one webhook request (connect to last byte); past it the attempt fails and is retried.
   * @default 10000
   */
  WEBHOOK_TIMEOUT_MS: number;
  /**
   * Delay before each attempt (the first is usually 0); after the last attempt fails the delivery is `failed`. Each
   * delay gets +/-20% jitter.
   * Raw text, validated at boot: parse it with `parseRetrySchedule`.
   * @default '0,5s,5m,30m,2h,5h,10h,10h'
   */
  WEBHOOK_RETRY_SCHEDULE: string;
  /**
   * A webhook failing continuously this long is disabled (a PATCH with is_active=true re-enables it).
   * @default 120
   */
  WEBHOOK_DISABLE_AFTER_HOURS: number;
  /**
   * Queued deliveries of a paused (is_active=false) webhook fail with "expired while the webhook was paused" once
   * paused this long (fractions allowed); 0 keeps them until the webhook is re-activated.
   * @default 72
   */
  DELIVERY_PAUSED_EXPIRE_HOURS: number;
  /**
   * In strict mode webhooks never connect to loopback, private, link-local, CGNAT, unique-local or IPv4-mapped
   * addresses (checked after DNS) unless listed here. Outside strict mode private targets are allowed.
   * Raw text, validated at boot: parse it with `parseCidrList`.
   * @default ''
   */
  WEBHOOK_ALLOWED_CIDRS: string;
  /**
   * DNS servers that resolve webhook hostnames (c-ares, not getaddrinfo); empty = those of /etc/resolv.conf. The
   * hosts file (/etc/hosts) is read first, and the search domains and ndots of /etc/resolv.conf apply, either way.
   * Raw text, validated at boot: parse it with `parseDnsServers`.
   * @default ''
   */
  DELIVERY_DNS_SERVERS: string;
  /**
   * How long one DNS server is given to answer a webhook hostname's first try; later tries wait longer (2 tries of
   * 1000 ms end after about 3 s).
   * @default 1000
   */
  DELIVERY_DNS_TIMEOUT_MS: number;
  /**
   * Tries of each DNS server before a webhook hostname's lookup fails (the attempt then fails and is retried).
   * @default 2
   */
  DELIVERY_DNS_TRIES: number;
  /**
   * Bound on DNS lookups in flight per process (identical ones are coalesced). Up to 4x this many wait for a slot, at
   * most DELIVERY_DNS_QUEUE_WAIT_MS; past either bound the attempt fails at once and is retried.
   * @default 128
   */
  DELIVERY_DNS_MAX_CONCURRENT: number;
  /**
   * Longest wait of a DNS lookup for a slot (DELIVERY_DNS_MAX_CONCURRENT) before its attempt fails and is retried.
   * @default 1000
   */
  DELIVERY_DNS_QUEUE_WAIT_MS: number;
  /**
   * Hostnames whose DNS answers are cached per process (least recently used evicted). Answers are kept for their TTL
   * (1 s to 1 h).
   * @default 10000
   */
  DELIVERY_DNS_CACHE_SIZE: number;
  /**
   * How long a failed DNS lookup (no such name, timeout, server failure) is cached before the hostname is asked
   * again.
   * @default 5000
   */
  DELIVERY_DNS_NEGATIVE_TTL_MS: number;
  /**
   * Most labels (and, separately, annotations) on one alert.
   * @default 64
   */
  ALERT_MAX_LABELS: number;
  /**
   * Longest label value, in characters (keys: 128).
   * @default 1024
   */
  ALERT_MAX_LABEL_VALUE_LENGTH: number;
  /**
   * Longest annotation value, in characters.
   * @default 8192
   */
  ALERT_MAX_ANNOTATION_VALUE_LENGTH: number;
  /**
   * Most alerts in one Alertmanager payload; more answers 413. Set Alertmanager's `max_alerts` on the webhook_config
   * to at most this.
   * @default 1000
   */
  ALERTMANAGER_MAX_ALERTS: number;
  /**
   * Most deliveries one Alertmanager payload may fan out (new alerts and resolves, times the webhooks subscribed to
   * each); more answers 413 before anything is written. Each delivery is a row written before the answer: 15000 keeps
   * a payload near 1 s.
   * @default 15000
   */
  ALERTMANAGER_MAX_DELIVERIES: number;
  /**
   * Group commit of `POST /api/v1/alerts`: most requests written together in one statement and one commit. Requests
   * arriving while a write is in flight wait for it and go as the next batch; 1 writes each request alone.
   * @default 256
   */
  INTAKE_BATCH_MAX_SIZE: number;
  /**
   * How long an idle intake waits for more requests before writing; 0 writes a lone request at once (batches form
   * only under load).
   * @default 0
   */
  INTAKE_BATCH_MAX_WAIT_MS: number;
  /**
   * Most alert creates waiting for a group commit in one process; past it `POST /api/v1/alerts` answers 503 with
   * Retry-After.
   * @default 2048
   */
  INTAKE_QUEUE_MAX: number;
  /**
   * How long an `Idempotency-Key` and its stored response are kept.
   * @default 24
   */
  IDEMPOTENCY_TTL_HOURS: number;

  // --- Retention ---
  /**
   * Succeeded deliveries (and their attempts) are deleted this many days after they completed.
   * @default 30
   */
  DELIVERY_RETENTION_DAYS: number;
  /**
   * Failed deliveries (and their attempts) are deleted this many days after they failed for good.
   * @default 90
   */
  DELIVERY_FAILED_RETENTION_DAYS: number;
  /**
   * Resolved alerts are deleted this many days after they resolved, once none of their deliveries is left.
   * @default 90
   */
  ALERT_RETENTION_DAYS: number;
  /**
   * How often the retention job runs (with the delivery workers, one replica at a time); 0 turns it off (`cli prune`
   * still works), otherwise at least `1000`.
   * @default 3600000
   */
  RETENTION_INTERVAL_MS: number;
  /**
   * Most rows one retention statement deletes; each batch is its own short transaction.
   * @default 500
   */
  RETENTION_BATCH_SIZE: number;
  /**
   * statement_timeout of each retention batch; a batch that hits it is rolled back and the run stops until next time.
   * @default 5000
   */
  RETENTION_STATEMENT_TIMEOUT_MS: number;

  // --- Cache ---
  /**
   * Cache the hot reads (webhook health, single webhooks and alerts, first list pages). Off: every read goes to the
   * database.
   * @default true
   */
  CACHE_ENABLED: boolean;
  /**
   * Most entries in the in-memory L1 of each process (least recently used go first).
   * @default 10000
   */
  CACHE_L1_MAX_ITEMS: number;
  /**
   * Lifetime of an L1 entry. While the invalidation bus is down, L1 entries live at most 5 s, and L1 is flushed when
   * it comes back.
   * @default 60000
   */
  CACHE_L1_TTL_MS: number;
  /**
   * Lifetime of an L2 (Redis) entry. L2 is used only when `REDIS_URL` is set.
   * @default 300000
   */
  CACHE_L2_TTL_MS: number;
  /**
   * Lifetime of cached webhook health and the degraded list: delivery outcomes change them without an invalidation.
   * @default 2000
   */
  CACHE_HEALTH_TTL_MS: number;
  /**
   * How long past its lifetime an L1 entry may still be served when reloading it fails (0: never).
   * @default 0
   */
  CACHE_GRACE_MS: number;

  // --- Live dashboard ---
  /**
   * Most dashboard WebSocket clients on one process; an upgrade beyond it is refused with 503.
   * @default 2000
   */
  WS_MAX_CONNECTIONS: number;
  /**
   * Ping interval; a client that has not answered the previous ping by the next one is dropped.
   * @default 30000
   */
  WS_HEARTBEAT_MS: number;
  /**
   * Bytes queued for one slow client before it is closed with 1013 (try again later); bounds memory per client.
   * @default 1048576
   */
  WS_MAX_BUFFERED_BYTES: number;
  /**
   * Delivery outcomes are sent to dashboards as counts per webhook per window of this length, never one event per
   * delivery.
   * @default 250
   */
  WS_DELIVERY_COALESCE_MS: number;
  /**
   * While clients are connected: how often queue depth, webhook health and readiness are re-read; changes are sent.
   * @default 2000
   */
  WS_STATS_INTERVAL_MS: number;

  // --- derived by validateEnv ---
  /**
   * Strict mode: ENV is `staging`, `prod` or `production`, or CI_STRICT is on.
   */
  STRICT: boolean;
  /**
   * SECRET_KEY was not set: the random per-process key is in use.
   */
  SECRET_KEY_GENERATED: boolean;
}

/** The schema's keys in schema order: what `validateEnv` keeps of the environment, beside the derived keys. */
export const ENV_KEYS = [
  'ENV',
  'CI_STRICT',
  'DATABASE_URL',
  'DB_POOL_SIZE',
  'DB_CONNECT_TIMEOUT_MS',
  'DB_STATEMENT_TIMEOUT_MS',
  'DB_REQUEST_TIMEOUT_MS',
  'DB_APPLICATION_NAME',
  'EMBEDDED_PG_DIR',
  'EMBEDDED_PG_PORT',
  'MIGRATION_LOCK_TIMEOUT_MS',
  'MIGRATE_ON_BOOT',
  'REDIS_URL',
  'REDIS_CONNECT_TIMEOUT_MS',
  'REDIS_COMMAND_TIMEOUT_MS',
  'SECRET_KEY',
  'PORT',
  'HOST',
  'BODY_LIMIT_BYTES',
  'TRUST_PROXY',
  'CORS_ORIGINS',
  'RATE_LIMIT_ENABLED',
  'RATE_LIMIT_LIMIT',
  'RATE_LIMIT_WINDOW_SECONDS',
  'RATE_LIMIT_INTAKE_LIMIT',
  'RATE_LIMIT_REDIS_TIMEOUT_MS',
  'READINESS_TIMEOUT_MS',
  'SHUTDOWN_DELAY_MS',
  'SHUTDOWN_TIMEOUT_MS',
  'HEALTH_DISK_PATH',
  'HEALTH_DISK_THRESHOLD_PERCENT',
  'HEALTH_HEAP_LIMIT_MB',
  'LOG_LEVEL',
  'LOG_PRETTY',
  'DELIVERY_CONCURRENCY',
  'DELIVERY_MAX_IN_FLIGHT',
  'DELIVERY_MAX_IN_FLIGHT_PER_WEBHOOK',
  'DELIVERY_BATCH_SIZE',
  'DELIVERY_POLL_INTERVAL_MS',
  'DELIVERY_RATE_FALLBACK_PROCESSES',
  'DELIVERY_LEASE_MS',
  'DELIVERY_REAPER_INTERVAL_MS',
  'WORKER_METRICS_PORT',
  'WEBHOOK_TIMEOUT_MS',
  'WEBHOOK_RETRY_SCHEDULE',
  'WEBHOOK_DISABLE_AFTER_HOURS',
  'DELIVERY_PAUSED_EXPIRE_HOURS',
  'WEBHOOK_ALLOWED_CIDRS',
  'DELIVERY_DNS_SERVERS',
  'DELIVERY_DNS_TIMEOUT_MS',
  'DELIVERY_DNS_TRIES',
  'DELIVERY_DNS_MAX_CONCURRENT',
  'DELIVERY_DNS_QUEUE_WAIT_MS',
  'DELIVERY_DNS_CACHE_SIZE',
  'DELIVERY_DNS_NEGATIVE_TTL_MS',
  'ALERT_MAX_LABELS',
  'ALERT_MAX_LABEL_VALUE_LENGTH',
  'ALERT_MAX_ANNOTATION_VALUE_LENGTH',
  'ALERTMANAGER_MAX_ALERTS',
  'ALERTMANAGER_MAX_DELIVERIES',
  'INTAKE_BATCH_MAX_SIZE',
  'INTAKE_BATCH_MAX_WAIT_MS',
  'INTAKE_QUEUE_MAX',
  'IDEMPOTENCY_TTL_HOURS',
  'DELIVERY_RETENTION_DAYS',
  'DELIVERY_FAILED_RETENTION_DAYS',
  'ALERT_RETENTION_DAYS',
  'RETENTION_INTERVAL_MS',
  'RETENTION_BATCH_SIZE',
  'RETENTION_STATEMENT_TIMEOUT_MS',
  'CACHE_ENABLED',
  'CACHE_L1_MAX_ITEMS',
  'CACHE_L1_TTL_MS',
  'CACHE_L2_TTL_MS',
  'CACHE_HEALTH_TTL_MS',
  'CACHE_GRACE_MS',
  'WS_MAX_CONNECTIONS',
  'WS_HEARTBEAT_MS',
  'WS_MAX_BUFFERED_BYTES',
  'WS_DELIVERY_COALESCE_MS',
  'WS_STATS_INTERVAL_MS',
] as const satisfies ReadonlyArray<keyof Env>;

export type SchemaEnvKey = (typeof ENV_KEYS)[number];
export type DerivedEnvKey = 'STRICT' | 'SECRET_KEY_GENERATED';
