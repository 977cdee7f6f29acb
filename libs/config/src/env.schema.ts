import { randomBytes } from 'node:crypto';
import * as Joi from 'joi';
import { parseCidrList, parseDnsServers, parseRetrySchedule } from './delivery-settings';
import { parseCorsOrigins, parseTrustProxy } from './edge-settings';

/**
 * The one configuration schema, used by both targets (api, cli) before anything else is loaded, and by
 * `ConfigModule.forRoot` inside Nest. Validated with `{ context: { strict } }`: strict-mode rules read `$strict`.
 * Every key has a description and a documented default: docs/CONFIGURATION.md and .env.example are generated
 * from this file (`npm run docs:config`), and a spec fails when they drift.
 */

const STRICT_ENVS = ['staging', 'prod', 'production'];

export const POSTGRES_SCHEMES = ['postgres', 'postgresql'];
export const ASYNC_PG_SCHEME = 'postgresql+asyncpg';
export const REDIS_SCHEMES = ['redis', 'rediss'];
/** ENV values accepted as another's spelling: `validateEnv` maps them, so `Env['ENV']` never holds them. */
export const ENV_ALIASES: Readonly<Record<string, 'prod'>> = { production: 'prod' };

const whenStrict = <T extends Joi.Schema>(schema: T, strictSchema: Joi.Schema): Joi.Schema => schema.when('$strict', { is: true, then: strictSchema });

const bool = () => Joi.boolean().truthy('1', 'yes', 'on').falsy('0', 'no', 'off').sensitive(false);
const int = (min: number, max: number) => Joi.number().integer().min(min).max(max);

export const envSchema = Joi.object({
  // --- mode ---
  ENV: Joi.string()
    .valid('development', 'test', 'staging', 'prod', 'production')
    .default('development')
    .description('Deployment environment. `staging` and `prod` (or `production`) turn strict mode on.')
    .meta({ group: 'Mode', example: 'staging', aliases: ENV_ALIASES }),
  CI_STRICT: bool()
    .default(false)
    .description('`1`/`true` turns strict mode on whatever ENV says (CI runs the production rules).')
    .meta({ group: 'Mode', example: '1' }),

  // --- database ---
  DATABASE_URL: whenStrict(Joi.string(), Joi.required())
    .description(
      'PostgreSQL DSN, `postgres://` or `postgresql://` (`postgresql+asyncpg://` is accepted and normalised). ' +
        'Required in strict mode; sqlite is always rejected. Unset outside strict mode: an embedded PostgreSQL ' +
        'is started under EMBEDDED_PG_DIR. Percent-encode special characters in the password.',
    )
    .meta({
      group: 'Database',
      secret: true,
      example: 'postgresql://signalgate:change-me@db:5432/signalgate',
      docDefault: 'required in strict mode; embedded otherwise',
    }),
  DB_POOL_SIZE: int(1, 200).default(10).description('Maximum connections in the pool of each process.').meta({ group: 'Database' }),
  DB_CONNECT_TIMEOUT_MS: int(100, 60000).default(5000).description('Bound on opening one database connection.').meta({ group: 'Database' }),
  DB_STATEMENT_TIMEOUT_MS: int(0, 3600000)
    .default(30000)
    .description("PostgreSQL `statement_timeout` for the service's connections (0 disables it).")
    .meta({ group: 'Database' }),
  DB_REQUEST_TIMEOUT_MS: int(500, 30000)
    .default(4000)
    .description(
      "Bound on each wait of an API request for PostgreSQL: a pooled connection, each statement (also caps the API's " +
        '`statement_timeout`; the client gives up 500 ms later and drops the connection, for a server that stopped ' +
        'answering) and an alert create waiting in the group commit. Past it the request answers 503 with Retry-After.',
    )
    .meta({ group: 'Database' }),
  DB_APPLICATION_NAME: Joi.string()
    .max(63)
    .default('signalgate')
    .description('`application_name` reported to PostgreSQL (visible in pg_stat_activity).')
    .meta({ group: 'Database' }),
  EMBEDDED_PG_DIR: Joi.string()
    .default('.data/postgres')
    .description('Data directory of the embedded development PostgreSQL (kept across restarts).')
    .meta({ group: 'Database' }),
  EMBEDDED_PG_PORT: int(0, 65535).default(0).description('Port of the embedded development PostgreSQL; 0 picks a free one.').meta({ group: 'Database' }),
  MIGRATION_LOCK_TIMEOUT_MS: int(1000, 3600000)
    .default(120000)
    .description('How long `migrate up`/`down` wait for another migrator to release the advisory lock.')
    .meta({ group: 'Database' }),
  MIGRATE_ON_BOOT: bool()
    .default((_parent: unknown, helpers: Joi.CustomHelpers) => !helpers.prefs.context?.strict)
    .when('$strict', { is: true, then: Joi.valid(false) })
    .description('Apply pending migrations when the API boots. Never in strict mode: run `cli migrate up` instead.')
    .meta({ group: 'Database', docDefault: '`true` outside strict mode, `false` (and nothing else) in strict mode' }),

  // --- redis ---
  REDIS_URL: whenStrict(Joi.string(), Joi.required())
    .description(
      'Redis URL, `redis://` or `rediss://`. Required in strict mode. Unset outside strict mode: Redis features ' +
        'degrade and the readiness check reports `disabled`.',
    )
    .meta({ group: 'Redis', secret: true, example: 'redis://:change-me@redis:6379/0', docDefault: 'required in strict mode; disabled otherwise' }),
  REDIS_CONNECT_TIMEOUT_MS: int(100, 60000).default(2000).description('Bound on opening the Redis connection.').meta({ group: 'Redis' }),

  REDIS_COMMAND_TIMEOUT_MS: int(100, 60000)
    .default(2000)
    .description('Bound on any one Redis command; a server that accepts connections and never answers fails fast.')
    .meta({ group: 'Redis' }),

  // --- security ---
  // The random key is a computed default (so `Env.SECRET_KEY` is always set); strict mode requires the variable.
  SECRET_KEY: whenStrict(
    Joi.string().default(() => randomBytes(32).toString('base64url')),
    Joi.string().min(32).required(),
  )
    .description(
      'Signs API tokens (HS256). Required in strict mode, at least 32 characters. Unset outside strict mode: ' + 'a random per-process key, with a warning.',
    )
    .meta({
      group: 'Security',
      secret: true,
      example: 'generate-with-openssl-rand-base64-48',
      docDefault: 'required in strict mode; random per process otherwise',
    }),

  // --- http ---
  PORT: Joi.number().port().default(8001).description('HTTP port of the API.').meta({ group: 'HTTP' }),
  HOST: Joi.string().default('0.0.0.0').description('Address the API listens on.').meta({ group: 'HTTP' }),
  BODY_LIMIT_BYTES: int(1024, 10 * 1024 * 1024)
    .default(262144)
    .description('Largest accepted request body; larger bodies get 413.')
    .meta({ group: 'HTTP' }),

  TRUST_PROXY: Joi.string()
    .default('false')
    .custom((value: string, helpers: Joi.CustomHelpers) => {
      if (parseTrustProxy(value) === undefined) return helpers.error('any.invalid');
      return value;
    })
    .messages({ 'any.invalid': 'must be false, true, a hop count (1-10) or a comma-separated list of proxy addresses/CIDRs' })
    .description(
      'Whether `X-Forwarded-For` decides the client address (rate limits per IP, logs): `false` (the socket peer), ' +
        "`true` (any proxy), a hop count, or the proxies' addresses/CIDRs. Set it when a load balancer fronts the API.",
    )
    .meta({ group: 'HTTP', parsedBy: parseTrustProxy.name, example: '10.0.0.0/8' }),
  CORS_ORIGINS: Joi.string()
    .allow('')
    .custom((value: string, helpers: Joi.CustomHelpers) => {
      const origins = parseCorsOrigins(value);
      if (origins === undefined) return helpers.error('any.invalid');
      if (helpers.prefs.context?.strict && origins.includes('*')) return helpers.error('any.strictWildcard');
      return value;
    })
    .messages({
      'any.invalid': 'must be a comma-separated list of origins like https://app.example.com (scheme://host[:port], no path) or *',
      'any.strictWildcard': 'must not contain * in strict mode; list the allowed origins',
    })
    .description(
      'Browser origins allowed to call the API (CORS), comma-separated. Only listed origins get credentials; `*` allows ' +
        'any origin without credentials and is refused in strict mode. Unset: no cross-origin access, except in ' +
        '`development`, where any http://localhost or http://127.0.0.1 origin is allowed.',
    )
    .meta({
      group: 'HTTP',
      parsedBy: parseCorsOrigins.name,
      example: 'https://oncall.example.com,https://grafana.example.com',
      docDefault: 'none (development: localhost origins)',
      strictRule: 'must not contain `*`',
    }),

  // --- rate limits ---
  RATE_LIMIT_ENABLED: bool()
    .default(true)
    .description('Rate limits on /api/v1 (per token subject, per client IP without a valid token). Probes, /api/version and /metrics are never limited.')
    .meta({ group: 'Rate limits' }),
  RATE_LIMIT_LIMIT: int(1, 1000000)
    .default(100)
    .description('Requests per window for each subject (or IP) on /api/v1 reads and writes other than alert intake.')
    .meta({ group: 'Rate limits' }),
  RATE_LIMIT_WINDOW_SECONDS: int(1, 86400)
    .default(60)
    .description('Length of the rate-limit window (fixed window, shared by all replicas through Redis).')
    .meta({ group: 'Rate limits' }),
  RATE_LIMIT_INTAKE_LIMIT: int(1, 1000000)
    .default(600)
    .description('Requests per window for alert intake (`POST /api/v1/alerts`, `POST /api/v1/alerts/alertmanager`), counted apart from the other routes.')
    .meta({ group: 'Rate limits' }),
  RATE_LIMIT_REDIS_TIMEOUT_MS: int(10, 5000)
    .default(250)
    .description(
      'Bound on the Redis round trip of one rate-limit check; past it (or with Redis down) the request is limited by an ' +
        'in-process counter instead (fail open, never a 5xx) until Redis answers again.',
    )
    .meta({ group: 'Rate limits' }),

  // --- probes and shutdown ---
  READINESS_TIMEOUT_MS: int(100, 10000).default(1000).description('Deadline of each readiness check (database, Redis, migrations).').meta({ group: 'Probes' }),
  SHUTDOWN_DELAY_MS: int(0, 120000)
    .default((_parent: unknown, helpers: Joi.CustomHelpers) => (helpers.prefs.context?.strict ? 5000 : 0))
    .description('After SIGTERM, readiness answers 503 this long before the listener closes. Must be less than SHUTDOWN_TIMEOUT_MS.')
    .meta({ group: 'Probes', docDefault: '`5000` in strict mode, `0` otherwise' }),
  SHUTDOWN_TIMEOUT_MS: int(1000, 600000)
    .default(30000)
    .description('Hard cap on draining after SIGTERM; past it the process exits non-zero.')
    .meta({ group: 'Probes' }),
  HEALTH_DISK_PATH: Joi.string().default('/').description('Path whose filesystem the startup probe checks.').meta({ group: 'Probes' }),
  HEALTH_DISK_THRESHOLD_PERCENT: Joi.number()
    .min(0.01)
    .max(1)
    .default(0.95)
    .description('Startup probe fails when the disk is fuller than this fraction.')
    .meta({ group: 'Probes' }),
  HEALTH_HEAP_LIMIT_MB: int(16, 65536).default(1024).description('Startup probe fails when the V8 heap is larger than this.').meta({ group: 'Probes' }),

  // --- logging ---
  LOG_LEVEL: Joi.string()
    .valid('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent')
    .default('info')
    .description('Minimum level of the JSON logs.')
    .meta({ group: 'Logging' }),
  LOG_PRETTY: bool()
    .default(false)
    .description('Human-readable logs instead of JSON (development on a terminal only; ignored in strict mode).')
    .meta({ group: 'Logging' }),

  // --- delivery (issue 5: alerts fan out to webhooks) ---
  DELIVERY_CONCURRENCY: int(0, 64)
    .default(2)
    .description(
      'Delivery claim loops inside the API process; 0 turns in-process delivery off (run `cli worker` instead). ' +
        'Outgoing requests are async: in-flight requests are bounded by DELIVERY_MAX_IN_FLIGHT, not by this.',
    )
    .meta({ group: 'Delivery' }),
  DELIVERY_MAX_IN_FLIGHT: int(1, 10000).default(256).description('Bound on concurrent outgoing webhook requests per process.').meta({ group: 'Delivery' }),
  DELIVERY_MAX_IN_FLIGHT_PER_WEBHOOK: int(1, 10000)
    .default(64)
    .description('Bound on concurrent requests to one webhook per process, so a slow receiver cannot take every slot.')
    .meta({ group: 'Delivery' }),
  DELIVERY_BATCH_SIZE: int(1, 1000).default(100).description('Most deliveries claimed by one `FOR UPDATE SKIP LOCKED` query.').meta({ group: 'Delivery' }),
  DELIVERY_POLL_INTERVAL_MS: int(10, 600000)
    .default(1000)
    .description('Polling fallback when no LISTEN/NOTIFY wake-up arrives (also picks up scheduled retries).')
    .meta({ group: 'Delivery' }),
  DELIVERY_RATE_FALLBACK_PROCESSES: int(1, 1000)
    .default(1)
    .description(
      "How many delivery processes (API replicas with workers plus `cli worker`s) share a webhook's rate_limit_per_second " +
        'while Redis is unreachable: each then sends that webhook at most rate / this. With Redis the rate is shared exactly.',
    )
    .meta({ group: 'Delivery' }),
  DELIVERY_LEASE_MS: int(1000, 3600000)
    .default(60000)
    .description('How long a claimed delivery belongs to its worker; must exceed WEBHOOK_TIMEOUT_MS. Expired leases are returned to the queue.')
    .meta({ group: 'Delivery' }),
  DELIVERY_REAPER_INTERVAL_MS: int(100, 600000).default(5000).description('How often expired delivery leases are looked for.').meta({ group: 'Delivery' }),
  WORKER_METRICS_PORT: int(0, 65535)
    .default(0)
    .description("Port of `cli worker`'s Prometheus listener (GET /metrics on HOST); 0 turns it off. The API serves /metrics on PORT.")
    .meta({ group: 'Delivery' }),
  WEBHOOK_TIMEOUT_MS: int(100, 120000)
    .default(10000)
    .description('Bound on one webhook request (connect to last byte); past it the attempt fails and is retried.')
    .meta({ group: 'Delivery' }),
  WEBHOOK_RETRY_SCHEDULE: Joi.string()
    .default('0,5s,5m,30m,2h,5h,10h,10h')
    .custom((value: string, helpers: Joi.CustomHelpers) => {
      if (parseRetrySchedule(value) === undefined) return helpers.error('any.invalid');
      return value;
    })
    .messages({ 'any.invalid': 'must be a comma-separated list of 1-20 delays like 0,5s,5m,2h (units ms, s, m, h; a bare number is ms)' })
    .description('Delay before each attempt (the first is usually 0); after the last attempt fails the delivery is `failed`. Each delay gets +/-20% jitter.')
    .meta({ group: 'Delivery', parsedBy: parseRetrySchedule.name }),
  WEBHOOK_DISABLE_AFTER_HOURS: Joi.number()
    .greater(0)
    .max(10000)
    .default(120)
    .description('A webhook failing continuously this long is disabled (a PATCH with is_active=true re-enables it).')
    .meta({ group: 'Delivery' }),
  DELIVERY_PAUSED_EXPIRE_HOURS: Joi.number()
    .min(0)
    .max(10000)
    .default(72)
    .description(
      'Queued deliveries of a paused (is_active=false) webhook fail with "expired while the webhook was paused" once paused this long (fractions allowed); 0 keeps them until the webhook is re-activated.',
    )
    .meta({ group: 'Delivery' }),
  WEBHOOK_ALLOWED_CIDRS: Joi.string()
    .allow('')
    .default('')
    .custom((value: string, helpers: Joi.CustomHelpers) => {
      if (parseCidrList(value) === undefined) return helpers.error('any.invalid');
      return value;
    })
    .messages({ 'any.invalid': 'must be a comma-separated list of CIDRs like 10.0.0.0/8,fd00::/8' })
    .description(
      'In strict mode webhooks never connect to loopback, private, link-local, CGNAT, unique-local or IPv4-mapped ' +
        'addresses (checked after DNS) unless listed here. Outside strict mode private targets are allowed.',
    )
    .meta({ group: 'Delivery', parsedBy: parseCidrList.name, example: '10.20.0.0/16' }),
  DELIVERY_DNS_SERVERS: Joi.string()
    .allow('')
    .default('')
    .custom((value: string, helpers: Joi.CustomHelpers) => {
      if (parseDnsServers(value) === undefined) return helpers.error('any.invalid');
      return value;
    })
    .messages({ 'any.invalid': 'must be a comma-separated list of IP addresses, each with an optional port: 10.0.0.2,10.0.0.3:5353,[fd00::53]:53' })
    .description(
      'DNS servers that resolve webhook hostnames (c-ares, not getaddrinfo); empty = those of /etc/resolv.conf. ' +
        'The hosts file (/etc/hosts) is read first, and the search domains and ndots of /etc/resolv.conf apply, either way.',
    )
    .meta({ group: 'Delivery', parsedBy: parseDnsServers.name, example: '10.0.0.2,10.0.0.3:5353' }),
  DELIVERY_DNS_TIMEOUT_MS: int(50, 30000)
    .default(1000)
    .description("How long one DNS server is given to answer a webhook hostname's first try; later tries wait longer (2 tries of 1000 ms end after about 3 s).")
    .meta({ group: 'Delivery' }),
  DELIVERY_DNS_TRIES: int(1, 5)
    .default(2)
    .description("Tries of each DNS server before a webhook hostname's lookup fails (the attempt then fails and is retried).")
    .meta({ group: 'Delivery' }),
  DELIVERY_DNS_MAX_CONCURRENT: int(1, 4096)
    .default(128)
    .description(
      'Bound on DNS lookups in flight per process (identical ones are coalesced). Up to 4x this many wait for a slot, ' +
        'at most DELIVERY_DNS_QUEUE_WAIT_MS; past either bound the attempt fails at once and is retried.',
    )
    .meta({ group: 'Delivery' }),
  DELIVERY_DNS_QUEUE_WAIT_MS: int(0, 60000)
    .default(1000)
    .description('Longest wait of a DNS lookup for a slot (DELIVERY_DNS_MAX_CONCURRENT) before its attempt fails and is retried.')
    .meta({ group: 'Delivery' }),
  DELIVERY_DNS_CACHE_SIZE: int(1, 1000000)
    .default(10000)
    .description('Hostnames whose DNS answers are cached per process (least recently used evicted). Answers are kept for their TTL (1 s to 1 h).')
    .meta({ group: 'Delivery' }),
  DELIVERY_DNS_NEGATIVE_TTL_MS: int(0, 3600000)
    .default(5000)
    .description('How long a failed DNS lookup (no such name, timeout, server failure) is cached before the hostname is asked again.')
    .meta({ group: 'Delivery' }),
  ALERT_MAX_LABELS: int(1, 1000).default(64).description('Most labels (and, separately, annotations) on one alert.').meta({ group: 'Delivery' }),
  ALERT_MAX_LABEL_VALUE_LENGTH: int(1, 65536).default(1024).description('Longest label value, in characters (keys: 128).').meta({ group: 'Delivery' }),
  ALERT_MAX_ANNOTATION_VALUE_LENGTH: int(1, 65536).default(8192).description('Longest annotation value, in characters.').meta({ group: 'Delivery' }),
  ALERTMANAGER_MAX_ALERTS: int(1, 100000)
    .default(1000)
    .description("Most alerts in one Alertmanager payload; more answers 413. Set Alertmanager's `max_alerts` on the webhook_config to at most this.")
    .meta({ group: 'Delivery' }),
  ALERTMANAGER_MAX_DELIVERIES: int(1, 10000000)
    .default(15000)
    .description(
      'Most deliveries one Alertmanager payload may fan out (new alerts and resolves, times the webhooks subscribed to each); more answers 413 before anything is written. Each delivery is a row written before the answer: 15000 keeps a payload near 1 s.',
    )
    .meta({ group: 'Delivery' }),
  INTAKE_BATCH_MAX_SIZE: int(1, 10000)
    .default(256)
    .description(
      'Group commit of `POST /api/v1/alerts`: most requests written together in one statement and one commit. Requests ' +
        'arriving while a write is in flight wait for it and go as the next batch; 1 writes each request alone.',
    )
    .meta({ group: 'Delivery' }),
  INTAKE_BATCH_MAX_WAIT_MS: int(0, 1000)
    .default(0)
    .description('How long an idle intake waits for more requests before writing; 0 writes a lone request at once (batches form only under load).')
    .meta({ group: 'Delivery' }),
  INTAKE_QUEUE_MAX: int(1, 100000)
    .default(2048)
    .description('Most alert creates waiting for a group commit in one process; past it `POST /api/v1/alerts` answers 503 with Retry-After.')
    .meta({ group: 'Delivery' }),
  IDEMPOTENCY_TTL_HOURS: int(1, 720).default(24).description('How long an `Idempotency-Key` and its stored response are kept.').meta({ group: 'Delivery' }),

  // --- retention (issue 13) ---
  DELIVERY_RETENTION_DAYS: int(1, 3650)
    .default(30)
    .description('Succeeded deliveries (and their attempts) are deleted this many days after they completed.')
    .meta({ group: 'Retention' }),
  DELIVERY_FAILED_RETENTION_DAYS: int(1, 3650)
    .default(90)
    .description('Failed deliveries (and their attempts) are deleted this many days after they failed for good.')
    .meta({ group: 'Retention' }),
  ALERT_RETENTION_DAYS: int(1, 3650)
    .default(90)
    .description('Resolved alerts are deleted this many days after they resolved, once none of their deliveries is left.')
    .meta({ group: 'Retention' }),
  RETENTION_INTERVAL_MS: int(0, 86400000)
    .default(3600000)
    .custom((value: number, helpers: Joi.CustomHelpers) => (value > 0 && value < 1000 ? helpers.error('any.invalid') : value))
    .messages({ 'any.invalid': 'must be 0 (off) or at least 1000' })
    .description(
      'How often the retention job runs (with the delivery workers, one replica at a time); 0 turns it off (`cli prune` still works), otherwise at least `1000`.',
    )
    .meta({ group: 'Retention' }),
  RETENTION_BATCH_SIZE: int(1, 10000)
    .default(500)
    .description('Most rows one retention statement deletes; each batch is its own short transaction.')
    .meta({ group: 'Retention' }),
  RETENTION_STATEMENT_TIMEOUT_MS: int(100, 600000)
    .default(5000)
    .description('statement_timeout of each retention batch; a batch that hits it is rolled back and the run stops until next time.')
    .meta({ group: 'Retention' }),

  // --- cache (issue 9, seed 002) ---
  CACHE_ENABLED: bool()
    .default(true)
    .description('Cache the hot reads (webhook health, single webhooks and alerts, first list pages). Off: every read goes to the database.')
    .meta({ group: 'Cache' }),
  CACHE_L1_MAX_ITEMS: int(1, 1000000)
    .default(10000)
    .description('Most entries in the in-memory L1 of each process (least recently used go first).')
    .meta({ group: 'Cache' }),
  CACHE_L1_TTL_MS: int(100, 86400000)
    .default(60000)
    .description('Lifetime of an L1 entry. While the invalidation bus is down, L1 entries live at most 5 s, and L1 is flushed when it comes back.')
    .meta({ group: 'Cache' }),
  CACHE_L2_TTL_MS: int(100, 86400000)
    .default(300000)
    .description('Lifetime of an L2 (Redis) entry. L2 is used only when `REDIS_URL` is set.')
    .meta({ group: 'Cache' }),
  CACHE_HEALTH_TTL_MS: int(100, 600000)
    .default(2000)
    .description('Lifetime of cached webhook health and the degraded list: delivery outcomes change them without an invalidation.')
    .meta({ group: 'Cache' }),
  CACHE_GRACE_MS: int(0, 86400000)
    .default(0)
    .description('How long past its lifetime an L1 entry may still be served when reloading it fails (0: never).')
    .meta({ group: 'Cache' }),

  // --- live dashboard (WebSocket /api/v1/ws/dashboard) ---
  WS_MAX_CONNECTIONS: int(1, 100000)
    .default(2000)
    .description('Most dashboard WebSocket clients on one process; an upgrade beyond it is refused with 503.')
    .meta({ group: 'Live dashboard' }),
  WS_HEARTBEAT_MS: int(1000, 300000)
    .default(30000)
    .description('Ping interval; a client that has not answered the previous ping by the next one is dropped.')
    .meta({ group: 'Live dashboard' }),
  WS_MAX_BUFFERED_BYTES: int(1024, 67108864)
    .default(1048576)
    .description('Bytes queued for one slow client before it is closed with 1013 (try again later); bounds memory per client.')
    .meta({ group: 'Live dashboard' }),
  WS_DELIVERY_COALESCE_MS: int(50, 10000)
    .default(250)
    .description('Delivery outcomes are sent to dashboards as counts per webhook per window of this length, never one event per delivery.')
    .meta({ group: 'Live dashboard' }),
  WS_STATS_INTERVAL_MS: int(500, 60000)
    .default(2000)
    .description('While clients are connected: how often queue depth, webhook health and readiness are re-read; changes are sent.')
    .meta({ group: 'Live dashboard' }),
}).unknown(true);

export function isStrictRaw(raw: Record<string, string | undefined>): boolean {
  const env = (raw.ENV ?? '').trim().toLowerCase();
  const ci = (raw.CI_STRICT ?? '').trim().toLowerCase();
  return STRICT_ENVS.includes(env) || ci === '1' || ci === 'true';
}
