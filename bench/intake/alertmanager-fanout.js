// Alertmanager fan-out benchmark (issue 22, part 7): how long one 1,000-alert Alertmanager payload takes to answer with
// 1, 62 and 100 active webhooks, for a fresh payload (1,000 new firing alerts) and a flip-flop one (entries alternating
// firing/resolved on a few fingerprints, so each entry is a new alert or a resolve, each fanned out to every webhook).
//
//   npm run build && node bench/intake/alertmanager-fanout.js [--webhooks 1,62,100] [--repeats 3] [--fingerprints 5]
//     [--alerts 1000] [--admin postgresql://postgres@127.0.0.1:5432/postgres] [--redis redis://127.0.0.1:6379/0]
//     [--out ALERTMANAGER-FANOUT.md]
//
// One built API (workers off: intake is what is measured) on a scratch database; webhooks are added between cases;
// each figure is the median of `repeats` requests, client-side (request sent to answer received). Writes the table to
// `--out` next to this file (and the raw figures to the same name with .json).
'use strict';
const { arg, median, freePort, stop, scratchDatabase, shippedNodeFlags, benchApiEnv } = require('../support');
const { spawn } = require('node:child_process');
const { randomBytes, randomUUID } = require('node:crypto');
const { writeFileSync } = require('node:fs');
const { cpus } = require('node:os');
const { join, resolve } = require('node:path');
const jwt = require('jsonwebtoken');
const { Client } = require('pg');

const ROOT = resolve(__dirname, '../..');
const ADMIN_URL = arg('admin', process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
const REDIS_URL = arg('redis', 'redis://127.0.0.1:6379/0');
const WEBHOOKS = arg('webhooks', '1,62,100').split(',').map(Number);
const REPEATS = Number(arg('repeats', '3'));
const ALERTS = Number(arg('alerts', '1000'));
const FINGERPRINTS = Number(arg('fingerprints', '5'));
// The bounds of the build under test (ALERTMANAGER_MAX_DELIVERIES' default, the status changes per alert): the
// "at the bound" payloads are the largest it accepts. A build without them answers those too.
const MAX_DELIVERIES = Number(arg('max-deliveries', '15000'));
const MAX_CHANGES = 10;
const OUT = arg('out', 'ALERTMANAGER-FANOUT.md');
const SECRET_KEY = randomBytes(32).toString('hex');
const TOKEN = jwt.sign({ scope: 'admin' }, SECRET_KEY, { algorithm: 'HS256', subject: `bench-${randomUUID()}`, expiresIn: 3600 });

const env = (databaseUrl, port) =>
  benchApiEnv({ databaseUrl, port, redisUrl: REDIS_URL, secretKey: SECRET_KEY }, { BODY_LIMIT_BYTES: String(10 * 1024 * 1024), LOG_LEVEL: 'warn' });

async function run(args, databaseUrl) {
  const child = spawn(process.execPath, args, { env: env(databaseUrl, 0), cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const code = await new Promise((ok) => child.once('exit', ok));
  if (code !== 0) throw new Error(`${args.join(' ')} exited ${code}`);
}

async function startApi(databaseUrl) {
  const port = await freePort();
  const child = spawn(process.execPath, [...shippedNodeFlags(), join(ROOT, 'dist/apps/api/main.js')], {
    env: env(databaseUrl, port),
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error('API exited');
    if (Date.now() - started > 60_000) throw new Error('API not ready within 60 s');
    const ok = await fetch(`${base}/api/ready`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return { child, base };
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `n` new firing alerts (what a big Alertmanager group sends on its first notification). */
const freshPayload = (n = ALERTS) => ({
  version: '4',
  status: 'firing',
  receiver: 'signalgate',
  groupKey: 'bench',
  alerts: Array.from({ length: n }, (_, i) => ({
    status: 'firing',
    labels: { alertname: 'Bench', run: randomUUID(), i: String(i), severity: 'warning' },
    annotations: { summary: 'bench' },
  })),
});

/** `n` entries alternating firing/resolved on `fingerprints` alerts: each firing entry a new alert, each resolved one a resolve. */
function flipFlopPayload(n = ALERTS, fingerprints = FINGERPRINTS) {
  const run = randomUUID();
  const t0 = Date.now();
  return {
    version: '4',
    status: 'firing',
    receiver: 'signalgate',
    groupKey: 'bench-flip',
    alerts: Array.from({ length: n }, (_, i) => {
      const firing = Math.floor(i / fingerprints) % 2 === 0;
      return {
        status: firing ? 'firing' : 'resolved',
        labels: { alertname: 'Flip', run, n: String(i % fingerprints), severity: 'warning' },
        annotations: { summary: 'flip' },
        startsAt: new Date(t0 + i).toISOString(),
        endsAt: firing ? '0001-01-01T00:00:00Z' : new Date(t0 + i).toISOString(),
      };
    }),
  };
}

async function post(base, body) {
  const text = JSON.stringify(body);
  const started = performance.now();
  const r = await fetch(`${base}/api/v1/alerts/alertmanager`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: text,
  });
  const answer = await r.json();
  const ms = performance.now() - started;
  if (r.status >= 300) return { ms, status: r.status, answer };
  return { ms, status: r.status, answer };
}

async function setWebhooks(db, n) {
  await db.query('DELETE FROM deliveries');
  await db.query('DELETE FROM webhooks');
  for (let i = 0; i < n; i += 1) {
    await db.query(`INSERT INTO webhooks (name, url, secret) VALUES ($1, 'http://127.0.0.1:9/hook', $2)`, [`bench-${i}`, randomBytes(24).toString('base64')]);
  }
}

/** What EXPLAIN ANALYZE showed (issue 22): the reason for the bound, kept with the figures it explains. */
const FINDINGS = [
  '## Where the time goes',
  '',
  'The time is the delivery rows, not the statement: EXPLAIN (ANALYZE) of a bare 100,000-row fan-out insert (1,000',
  'alerts x 100 webhooks, 700-byte payloads, no CTEs) took 3.1 s here: 1.9 s heap and the five indexes of',
  '`deliveries`, 1.1 s the two foreign-key triggers (webhook, alert; 100,000 calls each); the scan and join 0.2 s.',
  'The intake statement is already one set-based statement per round (before: 1,000 alerts x 62 webhooks in 3.4 s,',
  '~55 us a row on this shared machine). A flip-flop payload adds one round per status change (200 changes: 1.5 s',
  'with one webhook). So the worst case is bounded instead (before/after figures in ALERTMANAGER-FANOUT-BEFORE.md',
  'and above): ALERTMANAGER_MAX_DELIVERIES (default 15000) deliveries and 10 status changes per alert per payload,',
  'counted before anything is written; over either, 413 in milliseconds. Storing each event payload once instead of',
  'once per webhook is the change that would move the per-row cost itself.',
];

async function main() {
  const name = `sg_bench_amfan_${randomBytes(3).toString('hex')}`;
  const { admin, databaseUrl } = await scratchDatabase(ADMIN_URL, name);
  let api;
  try {
    await run([join(ROOT, 'dist/apps/cli/main.js'), 'migrate', 'up'], databaseUrl);
    api = await startApi(databaseUrl);
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    const results = [];
    for (const webhooks of WEBHOOKS) {
      await setWebhooks(db, webhooks);
      // Each entry of these payloads is one event, so the largest accepted payload has MAX_DELIVERIES / webhooks entries.
      const atBound = Math.min(ALERTS, Math.floor(MAX_DELIVERIES / webhooks));
      const shapes = [
        [`fresh ${ALERTS}`, () => freshPayload()],
        [`flip-flop ${ALERTS} on ${FINGERPRINTS} alerts`, () => flipFlopPayload()],
        [`fresh ${atBound} (at the bound)`, () => freshPayload(atBound)],
        [`flip-flop ${atBound}, ${MAX_CHANGES} changes per alert (at the bound)`, () => flipFlopPayload(atBound, Math.ceil(atBound / MAX_CHANGES))],
      ];
      for (const [shape, payload] of shapes) {
        await post(api.base, payload()); // warm-up: plans, pools, JIT
        const runs = [];
        for (let i = 0; i < REPEATS; i += 1) runs.push(await post(api.base, payload()));
        const statuses = [...new Set(runs.map((r) => r.status))];
        const deliveries = Number((await db.query('SELECT count(*) AS n FROM deliveries')).rows[0].n);
        const row = {
          webhooks,
          shape,
          medianMs: Math.round(median(runs.map((r) => r.ms))),
          maxMs: Math.round(Math.max(...runs.map((r) => r.ms))),
          statuses,
          answer: runs.at(-1).answer,
          deliveriesSoFar: deliveries,
        };
        console.log(JSON.stringify(row));
        results.push(row);
      }
    }
    await db.end();
    const lines = [
      '# Alertmanager fan-out (issue 22, part 7)',
      '',
      `One Alertmanager payload, answered time (client side, median of ${REPEATS} after one warm-up), by active webhooks; fresh =`,
      `new firing alerts, flip-flop = entries alternating firing/resolved (each entry an event for every webhook). "At the`,
      `bound": the largest payload within ALERTMANAGER_MAX_DELIVERIES=${MAX_DELIVERIES} and ${MAX_CHANGES} status changes per alert.`,
      `Built API, workers off, ${cpus().length} cores shared, PostgreSQL and Redis on the same machine. \`node bench/intake/alertmanager-fanout.js\`.`,
      '',
      '| webhooks | payload | median ms | max ms | status | answer |',
      '| ---: | --- | ---: | ---: | --- | --- |',
      ...results.map((r) => `| ${r.webhooks} | ${r.shape} | ${r.medianMs} | ${r.maxMs} | ${r.statuses.join(',')} | \`${JSON.stringify(r.answer)}\` |`),
      '',
      ...FINDINGS,
      '',
    ];
    writeFileSync(join(__dirname, OUT), lines.join('\n'));
    writeFileSync(join(__dirname, OUT.replace(/\.md$/, '.json')), JSON.stringify({ at: new Date().toISOString(), results }, null, 2) + '\n');
  } finally {
    if (api) await stop(api.child);
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
