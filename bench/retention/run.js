// Retention benchmark (issue 13): do the hot paths stay flat with 1 million historical deliveries in the tables?
// Separate processes: the API (dist/apps/api/main.js, workers off, cache off) and this script as the load. Claims
// run the worker's own statement (DeliveryQueue.claim from libs/delivery, loaded through ts-node) on a pg pool.
//
//   npm run build && node bench/retention/run.js [--history 1000000] [--out bench/retention/RESULTS.md]
//
// Needs the local PostgreSQL (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/postgres): a scratch
// database is created and dropped. Measures, without then with the history: claim latency, POST /api/v1/alerts
// throughput and latency (each alert fans out to 10 webhooks), GET /api/v1/webhooks/health latency; then a few
// retention batches over the history. Results are printed and written as Markdown + JSON.
'use strict';
const { arg, sleep, pct, r1, freePort, stop, scratchDatabase } = require('../support');
const { spawn } = require('node:child_process');
const http = require('node:http');
const os = require('node:os');
const { writeFileSync } = require('node:fs');
const { resolve } = require('node:path');
const jwt = require('jsonwebtoken');
const { Client, Pool } = require('pg');

const ROOT = resolve(__dirname, '../..');
const HISTORY = Number(arg('history', 1_000_000));
const OUT = resolve(ROOT, arg('out', 'bench/retention/RESULTS.md'));
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const SECRET_KEY = 'bench-secret-key-0123456789-abcdefghijklmnop';
const WEBHOOKS = 10;
const CLAIM_ROWS = 2000;
const CLAIM_LIMIT = 16;
const INTAKE_ALERTS = 600;
const INTAKE_CONCURRENCY = 16;
const HEALTH_CALLS = 100;
const RETENTION_BATCHES = 20;
const RETENTION_BATCH_SIZE = 500;
const CHUNK = 100_000;
const now = () => performance.now();

// The library's own statements, from source (the bundle in dist/ exports nothing).
require('ts-node').register({ transpileOnly: true, project: resolve(ROOT, 'tsconfig.json') });
const paths = require('tsconfig-paths').loadConfig(ROOT);
require('tsconfig-paths').register({ baseUrl: paths.absoluteBaseUrl, paths: paths.paths });
const { DeliveryQueue } = require(resolve(ROOT, 'libs/delivery/src/delivery-queue.ts'));
const { RetentionStore } = require(resolve(ROOT, 'libs/delivery/src/retention/retention-store.ts'));

const r2 = (x) => Math.round(x * 100) / 100;
const dist = (values) => ({ n: values.length, p50_ms: r1(pct(values, 50)), p99_ms: r1(pct(values, 99)) });

const BEARER = jwt.sign({ sub: 'bench', scope: 'admin' }, SECRET_KEY, { algorithm: 'HS256', expiresIn: 3600 });
const agent = new http.Agent({ keepAlive: true, maxSockets: INTAKE_CONCURRENCY });
function call(port, method, path, body) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((ok, fail) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        timeout: 30_000,
        headers: {
          authorization: `Bearer ${BEARER}`,
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => ok(res.statusCode));
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', fail);
    req.end(payload);
  });
}

async function startApi(env, port) {
  const child = spawn(process.execPath, [resolve(ROOT, 'dist/apps/api/main.js')], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 300; i += 1) {
    if ((await call(port, 'GET', '/api/v1/webhooks').catch(() => 0)) === 200) return child;
    await sleep(100);
  }
  throw new Error('API did not start');
}

/** The claim statement, CLAIM_ROWS due deliveries claimed CLAIM_LIMIT at a time; claimed rows are then finished. */
async function measureClaim(db, queue) {
  await db.query(
    `INSERT INTO deliveries (webhook_id, event_type, payload, status, next_attempt_at)
     SELECT w.id, 'alert.created', '{"bench":"claim"}', 'pending', now() - interval '1 second'
     FROM generate_series(1, $1::int / ${WEBHOOKS}) g CROSS JOIN webhooks w`,
    [CLAIM_ROWS],
  );
  const times = [];
  for (;;) {
    const t = now();
    const rows = await queue.claim(CLAIM_LIMIT, 60_000, 64, new Map());
    times.push(now() - t);
    if (rows.length === 0) break;
  }
  await db.query(`UPDATE deliveries SET status = 'succeeded', completed_at = now(), lease_token = NULL, lease_expires_at = NULL WHERE status = 'in_flight'`);
  return dist(times.slice(0, -1));
}

async function measureIntake(port, tag) {
  let next = 0;
  const times = [];
  const started = now();
  const worker = async () => {
    while (next < INTAKE_ALERTS) {
      const i = next++;
      const t = now();
      const status = await call(port, 'POST', '/api/v1/alerts', { title: `bench ${i}`, severity: 'info', source: 'bench', fingerprint: `${tag}-${i}` });
      if (status !== 201) throw new Error(`POST /api/v1/alerts answered ${status}`);
      times.push(now() - t);
    }
  };
  await Promise.all(Array.from({ length: INTAKE_CONCURRENCY }, worker));
  return { alerts_per_second: Math.round(INTAKE_ALERTS / ((now() - started) / 1000)), ...dist(times) };
}

async function measureHealth(port) {
  const times = [];
  for (let i = 0; i < HEALTH_CALLS; i += 1) {
    const t = now();
    const status = await call(port, 'GET', '/api/v1/webhooks/health');
    if (status !== 200) throw new Error(`health answered ${status}`);
    times.push(now() - t);
  }
  return dist(times);
}

async function measureAll(db, queue, port, tag) {
  // Warm-up, not measured: first-request costs (JIT, plans, connections) are not the history's.
  await measureHealth(port);
  const claim = await measureClaim(db, queue);
  const intake = await measureIntake(port, tag);
  const health = await measureHealth(port);
  return { claim, intake, health };
}

/** HISTORY finished deliveries, 1-120 days old, 80 % succeeded, one attempt each, ids below the live attempts'. */
async function seedHistory(db) {
  const started = now();
  await db.query(`SET synchronous_commit = off`);
  for (let from = 1; from <= HISTORY; from += CHUNK) {
    const to = Math.min(HISTORY, from + CHUNK - 1);
    await db.query(
      `WITH w AS (SELECT array_agg(id ORDER BY id) AS ids FROM webhooks),
       d AS (
         INSERT INTO deliveries (webhook_id, event_type, payload, status, attempts, created_at, updated_at, completed_at, last_status_code)
         SELECT w.ids[1 + g % ${WEBHOOKS}], 'alert.created', '{"event":"alert.created","history":' || g || ',"padding":"' || repeat('x', 120) || '"}',
                CASE WHEN (g / ${WEBHOOKS}) % 5 = 0 THEN 'failed' ELSE 'succeeded' END, 1, t, t, t, CASE WHEN (g / ${WEBHOOKS}) % 5 = 0 THEN 500 ELSE 200 END
         FROM w, generate_series($1::int, $2::int) g, LATERAL (SELECT now() - interval '121 days' + (g::float8 / $3) * interval '120 days' AS t) x
         RETURNING id, webhook_id, completed_at, status
       )
       INSERT INTO delivery_attempts (id, delivery_id, webhook_id, attempt, success, status_code, duration_ms, started_at, created_at)
       SELECT nextval('bench_history_attempt_id'), id, webhook_id, 1, status = 'succeeded', CASE WHEN status = 'succeeded' THEN 200 ELSE 500 END, 20, completed_at, completed_at
       FROM d`,
      [from, to, HISTORY],
    );
    process.stderr.write(`history: ${to} / ${HISTORY} rows (${Math.round((now() - started) / 1000)} s)\n`);
  }
  await db.query(`VACUUM ANALYZE deliveries`);
  await db.query(`VACUUM ANALYZE delivery_attempts`);
  return Math.round((now() - started) / 1000);
}

/** RETENTION_BATCHES batches of the job's own statement over the history (succeeded, 30 days). */
async function measureRetention(db) {
  const store = new RetentionStore(db);
  const cutoff = new Date(Date.now() - 30 * 86_400_000);
  const times = [];
  let cursor = null;
  let deleted = 0;
  let attempts = 0;
  for (let i = 0; i < RETENTION_BATCHES; i += 1) {
    const t = now();
    const b = await store.inTransaction(5000, () => store.deleteDeliveries('succeeded', cutoff, cursor, RETENTION_BATCH_SIZE));
    times.push(now() - t);
    deleted += b.deliveries;
    attempts += b.attempts;
    cursor = b.cursor;
    if (!cursor) break;
  }
  const t = now();
  const due = await store.inTransaction(120_000, () =>
    store.countDue({ succeeded: cutoff, failed: new Date(Date.now() - 90 * 86_400_000), alerts: new Date(Date.now() - 90 * 86_400_000) }),
  );
  return {
    batch_size: RETENTION_BATCH_SIZE,
    deliveries_deleted: deleted,
    attempts_deleted: attempts,
    batch: dist(times),
    dry_run_count_ms: Math.round(now() - t),
    due_after: due,
  };
}

const ratio = (after, before) => r2(after / before);

async function main() {
  const dbName = `sg_bench_retention_${process.pid}`;
  const { admin, databaseUrl } = await scratchDatabase(ADMIN_URL, dbName);
  const env = {
    ENV: 'development',
    DATABASE_URL: databaseUrl,
    SECRET_KEY,
    LOG_LEVEL: 'warn',
    DELIVERY_CONCURRENCY: '0',
    RETENTION_INTERVAL_MS: '0',
    CACHE_ENABLED: '0',
    RATE_LIMIT_ENABLED: '0',
  };
  const results = { machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version }, history_rows: HISTORY, webhooks: WEBHOOKS };
  let api;
  const pool = new Pool({ connectionString: databaseUrl, max: 4 });
  const db = new Client({ connectionString: databaseUrl });
  try {
    const migrate = spawn(process.execPath, [resolve(ROOT, 'dist/apps/cli/main.js'), 'migrate', 'up'], {
      env: { PATH: process.env.PATH, ...env },
      stdio: 'ignore',
    });
    const code = await new Promise((ok) => migrate.once('exit', ok));
    if (code !== 0) throw new Error(`migrate up exited ${code}`);
    await db.connect();
    await db.query(
      `INSERT INTO webhooks (name, url, secret) SELECT 'bench ' || g, 'http://127.0.0.1:9/hook', 'whsec_bench' FROM generate_series(1, ${WEBHOOKS}) g`,
    );
    // The history's attempts get ids below the live ones, as they would have had (health reads by id).
    await db.query(`CREATE SEQUENCE bench_history_attempt_id`);
    await db.query(`SELECT setval('delivery_attempts_id_seq', $1)`, [HISTORY + 1_000_000]);
    // Live traffic health reads: 150 recent attempts per webhook.
    await db.query(
      `WITH d AS (
         INSERT INTO deliveries (webhook_id, event_type, payload, status, attempts, completed_at)
         SELECT w.id, 'alert.created', '{}', 'succeeded', 1, now() FROM webhooks w, generate_series(1, 150) RETURNING id, webhook_id)
       INSERT INTO delivery_attempts (delivery_id, webhook_id, attempt, success, status_code, duration_ms, started_at)
       SELECT id, webhook_id, 1, true, 200, 15, now() FROM d`,
    );
    await db.query(`ANALYZE`);
    const port = await freePort();
    api = await startApi(env, port);
    const queue = new DeliveryQueue({ db: pool });

    process.stderr.write('measuring without history...\n');
    results.without_history = await measureAll(db, queue, port, 'before');
    process.stderr.write(`${JSON.stringify(results.without_history)}\nseeding ${HISTORY} historical deliveries...\n`);
    results.seed_seconds = await seedHistory(db);
    const { rows } = await db.query(
      `SELECT (SELECT count(*) FROM deliveries)::int AS d, (SELECT count(*) FROM delivery_attempts)::int AS a, pg_size_pretty(pg_database_size(current_database())) AS size`,
    );
    results.tables = { deliveries: rows[0].d, delivery_attempts: rows[0].a, database_size: rows[0].size };
    process.stderr.write('measuring with history...\n');
    results.with_history = await measureAll(db, queue, port, 'after');
    process.stderr.write(`${JSON.stringify(results.with_history)}\n`);
    const b = results.without_history;
    const a = results.with_history;
    results.ratios = {
      claim_p50: ratio(a.claim.p50_ms, b.claim.p50_ms),
      claim_p99: ratio(a.claim.p99_ms, b.claim.p99_ms),
      intake_throughput: ratio(a.intake.alerts_per_second, b.intake.alerts_per_second),
      intake_p50: ratio(a.intake.p50_ms, b.intake.p50_ms),
      health_p50: ratio(a.health.p50_ms, b.health.p50_ms),
      health_p99: ratio(a.health.p99_ms, b.health.p99_ms),
    };
    process.stderr.write('retention batches...\n');
    results.retention = await measureRetention(db);
  } finally {
    if (api) await stop(api);
    await db.end().catch(() => undefined);
    await pool.end().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
  writeResults(results);
}

function writeResults(r) {
  const b = r.without_history;
  const a = r.with_history;
  const x = r.ratios;
  const md = `# Retention benchmark results

Run: ${new Date().toISOString()} · ${r.machine.cpus} CPUs (${r.machine.model}) · Node ${r.machine.node} · \`node bench/retention/run.js --history ${r.history_rows}\`
Scratch database, ${r.webhooks} active webhooks with 150 recent attempts each. The same measurements before and after
${r.history_rows} historical deliveries (1-120 days old, 80 % succeeded, one attempt each) are added with
\`INSERT ... SELECT generate_series\` (${r.seed_seconds} s, then VACUUM ANALYZE; ${r.tables.deliveries} deliveries,
${r.tables.delivery_attempts} attempts, database ${r.tables.database_size}). Claim: the worker's statement
(\`DeliveryQueue.claim\`, ${CLAIM_LIMIT} at a time over ${CLAIM_ROWS} due rows). Intake: \`POST /api/v1/alerts\`, ${INTAKE_ALERTS}
alerts at ${INTAKE_CONCURRENCY} concurrent, each fanned out to ${r.webhooks} webhooks (API with workers off). Health:
\`GET /api/v1/webhooks/health\`, ${HEALTH_CALLS} sequential calls, cache off. The machine is shared (2 cores): compare
ratios within a run; a ratio near 1 is flat.

| measure | without history | with ${r.history_rows} rows | ratio |
| --- | --- | --- | --- |
| claim p50 / p99 | ${b.claim.p50_ms} / ${b.claim.p99_ms} ms | ${a.claim.p50_ms} / ${a.claim.p99_ms} ms | ${x.claim_p50} / ${x.claim_p99} |
| intake throughput | ${b.intake.alerts_per_second}/s | ${a.intake.alerts_per_second}/s | ${x.intake_throughput} |
| intake latency p50 / p99 | ${b.intake.p50_ms} / ${b.intake.p99_ms} ms | ${a.intake.p50_ms} / ${a.intake.p99_ms} ms | ${x.intake_p50} (p50) |
| webhook health p50 / p99 | ${b.health.p50_ms} / ${b.health.p99_ms} ms | ${a.health.p50_ms} / ${a.health.p99_ms} ms | ${x.health_p50} / ${x.health_p99} |

Retention over that history (the job's statement, batches of ${r.retention.batch_size}, succeeded older than 30 days):
${r.retention.deliveries_deleted} deliveries and ${r.retention.attempts_deleted} attempts in ${r.retention.batch.n} batches, p50 / p99
${r.retention.batch.p50_ms} / ${r.retention.batch.p99_ms} ms per batch (RETENTION_STATEMENT_TIMEOUT_MS defaults to 5000). \`prune --dry-run\`'s count
over the rest: ${r.retention.dry_run_count_ms} ms (${r.retention.due_after.succeeded} succeeded + ${r.retention.due_after.failed} failed deliveries due).

Found by this bench and fixed in the same change (the figures above are after the fixes): webhook health read
\`max(started_at)\` over every success a webhook ever had (2.7 s per webhook with 100 000 of them; now the latest success by
id, one index probe), and with the history the health query's cost estimate crossed \`jit_above_cost\`, so PostgreSQL
JIT-compiled it on every call (~200 ms of a ~30 ms query; JIT is now off on the service's connections).

\`\`\`json
${JSON.stringify(r, null, 2)}
\`\`\`
`;
  writeFileSync(OUT, md);
  writeFileSync(OUT.replace(/\.md$/, '.json'), `${JSON.stringify(r, null, 2)}\n`);
  process.stdout.write(md);
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e.stack ?? e}\n`);
  process.exit(1);
});
