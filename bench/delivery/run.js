// Delivery benchmark (issue 5). Separate processes: receiver (receiver.js), API (dist/apps/api/main.js), the
// standalone worker (dist/apps/cli/main.js worker), the bare reference (bare-outbox.js), and this script as the load.
//
//   npm run build && node bench/delivery/run.js [--alerts 5000] [--in-flight 16] [--out bench/delivery/RESULTS.md]
//
// Needs the local PostgreSQL (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/postgres): a scratch
// database is created and dropped. Results are printed and written as Markdown + JSON.
'use strict';
const { arg, sleep, pct, r1, freePort, stop, scratchDatabase, shippedNodeFlags } = require('../support');
const { fork, spawn } = require('node:child_process');
const http = require('node:http');
const os = require('node:os');
const { writeFileSync } = require('node:fs');
const { resolve } = require('node:path');
const jwt = require('jsonwebtoken');

const ROOT = resolve(__dirname, '../..');
const API_NODE_FLAGS = shippedNodeFlags();
const ALERTS = Number(arg('alerts', 5000));
const IN_FLIGHT = Number(arg('in-flight', 16));
const TRICKLE_RATE = 20;
const TRICKLE_SECONDS = Number(arg('trickle-seconds', 15));
const POST_CONCURRENCY = 32;
const OUT = resolve(ROOT, arg('out', 'bench/delivery/RESULTS.md'));
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const SECRET_KEY = 'bench-secret-key-0123456789-abcdefghijklmnop';
const now = () => performance.timeOrigin + performance.now();

const r2 = (x) => Math.round(x * 100) / 100;

function startReceiver() {
  return new Promise((ok) => {
    const child = fork(resolve(__dirname, 'receiver.js'), ['0'], { stdio: 'inherit' });
    child.once('message', ({ port }) => {
      ok({
        child,
        port,
        take: () =>
          new Promise((done) => {
            child.once('message', (m) => done(m.receipts));
            child.send('take');
          }),
      });
    });
  });
}

async function startApi(env, port) {
  const child = spawn(process.execPath, [...API_NODE_FLAGS, resolve(ROOT, 'dist/apps/api/main.js')], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 300; i += 1) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/webhooks`, { headers: { authorization: `Bearer ${token()}` } });
      if (res.status === 200) return child;
    } catch {
      /* not listening yet */
    }
    await sleep(100);
  }
  throw new Error('API did not start');
}

function token() {
  return jwt.sign({ sub: 'bench', scope: 'admin' }, SECRET_KEY, { algorithm: 'HS256', expiresIn: 3600 });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: POST_CONCURRENCY });
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
        headers: {
          authorization: `Bearer ${BEARER}`,
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => ok({ status: res.statusCode, body: chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : undefined }));
      },
    );
    req.on('error', fail);
    req.end(payload);
  });
}
const BEARER = token();

const alertBody = (tag, i) => ({
  title: `bench alert ${i}`,
  severity: 'info',
  source: 'bench',
  fingerprint: `${tag}-${i}`,
  labels: { bench: tag, n: String(i) },
});

/** POSTs n alerts with POST_CONCURRENCY in parallel; returns send times by fingerprint and the POST throughput. */
async function postBurst(port, tag, n) {
  const sentAt = new Map();
  let next = 0;
  const started = now();
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const body = alertBody(tag, i);
      sentAt.set(body.fingerprint, now());
      const res = await call(port, 'POST', '/api/v1/alerts', body);
      if (res.status !== 201) throw new Error(`POST /api/v1/alerts answered ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: POST_CONCURRENCY }, worker));
  const seconds = (now() - started) / 1000;
  return { sentAt, postPerSecond: n / seconds, postSeconds: seconds, started };
}

async function postTrickle(port, tag, rate, seconds) {
  const sentAt = new Map();
  const postMs = [];
  const n = rate * seconds;
  const start = now();
  const pending = [];
  for (let i = 0; i < n; i += 1) {
    const due = start + (i * 1000) / rate;
    const wait = due - now();
    if (wait > 0) await sleep(wait);
    const body = alertBody(tag, i);
    const t0 = now();
    sentAt.set(body.fingerprint, t0);
    pending.push(call(port, 'POST', '/api/v1/alerts', body).then(() => postMs.push(now() - t0)));
  }
  await Promise.all(pending);
  return { sentAt, postMs };
}

async function waitReceipts(receiver, expected, filter, timeoutMs = 300_000) {
  const all = [];
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    all.push(...(await receiver.take()));
    if (all.filter(filter).length >= expected) return all;
    await sleep(100);
  }
  throw new Error(`only ${all.filter(filter).length}/${expected} receipts`);
}

function latencies(receipts, sentAt, pathPrefix) {
  const first = new Map();
  for (const [url, fp, at] of receipts) {
    if (pathPrefix && !url.startsWith(pathPrefix)) continue;
    if (sentAt.has(fp) && !first.has(fp)) first.set(fp, at - sentAt.get(fp));
  }
  const values = [...first.values()];
  return { count: values.length, p50: r1(pct(values, 50)), p99: r1(pct(values, 99)) };
}

async function createWebhook(port, url, name) {
  const res = await call(port, 'POST', '/api/v1/webhooks', { name, url, event_types: ['alert.created'] });
  if (res.status !== 201) throw new Error(`webhook create answered ${res.status}`);
  return res.body.id;
}

async function main() {
  const dbName = `sg_bench_${process.pid}`;
  const { admin, databaseUrl } = await scratchDatabase(ADMIN_URL, dbName);
  const baseEnv = {
    ENV: 'development',
    DATABASE_URL: databaseUrl,
    SECRET_KEY,
    LOG_LEVEL: 'warn',
    DB_POOL_SIZE: '20',
    WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8',
    // This bench measures delivery; the limiter's own cost is bench/rate-limit's figure.
    RATE_LIMIT_ENABLED: '0',
  };
  // The like-for-like comparison with the bare loop uses the same in-flight concurrency; the other runs use defaults.
  const matched = { DELIVERY_MAX_IN_FLIGHT: String(IN_FLIGHT), DELIVERY_MAX_IN_FLIGHT_PER_WEBHOOK: String(IN_FLIGHT) };
  const children = [];
  const results = {
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
    alerts: ALERTS,
    in_flight: IN_FLIGHT,
    post_concurrency: POST_CONCURRENCY,
  };
  try {
    const migrate = spawn(process.execPath, [resolve(ROOT, 'dist/apps/cli/main.js'), 'migrate', 'up'], {
      env: { PATH: process.env.PATH, ...baseEnv },
      stdio: 'ignore',
    });
    await new Promise((ok) => migrate.once('exit', ok));
    const receiver = await startReceiver();
    children.push(receiver.child);
    const hook = (path) => `http://127.0.0.1:${receiver.port}${path}`;

    // 1. Bare reference: the same bodies to the same receiver, same concurrency.
    const bare = await new Promise((ok, fail) => {
      const child = fork(resolve(__dirname, 'bare-outbox.js'), [databaseUrl, hook('/bare'), String(ALERTS), String(IN_FLIGHT)]);
      child.once('message', (m) => (m.error ? fail(new Error(m.error)) : ok(m)));
    });
    await receiver.take();
    results.bare_reference = { deliveries_per_second: Math.round(bare.perSecond), concurrency: IN_FLIGHT };
    process.stderr.write(`bare reference: ${Math.round(bare.perSecond)}/s\n`);

    // 2. POST throughput with workers off, then a standalone worker drains the backlog (pure delivery throughput).
    let port = await freePort();
    let api = await startApi({ ...baseEnv, DELIVERY_CONCURRENCY: '0' }, port);
    children.push(api);
    let webhookId = await createWebhook(port, hook('/drain'), 'drain');
    const ingest = await postBurst(port, 'drain', ALERTS);
    results.post_alerts_per_second = Math.round(ingest.postPerSecond);
    process.stderr.write(`POST /api/v1/alerts: ${Math.round(ingest.postPerSecond)}/s\n`);
    /** A `cli worker` (2 claim loops) on the bench's database, started as shipped. */
    const startWorker = (extraEnv) => {
      const worker = spawn(process.execPath, [...API_NODE_FLAGS, resolve(ROOT, 'dist/apps/cli/main.js'), 'worker'], {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ...baseEnv, DELIVERY_CONCURRENCY: '2', ...extraEnv },
        stdio: ['ignore', 'ignore', 'ignore'],
      });
      children.push(worker);
      return worker;
    };
    /** POST ALERTS alerts at POST_CONCURRENCY to a new webhook at /<name>: deliveries/s from the first POST to the last receipt. */
    const burstEndToEnd = async (apiPort, name) => {
      const id = await createWebhook(apiPort, hook(`/${name}`), name);
      const burst = await postBurst(apiPort, name, ALERTS);
      const receipts = await waitReceipts(receiver, ALERTS, ([url]) => url.startsWith(`/${name}`));
      const times = receipts.filter(([url]) => url.startsWith(`/${name}`)).map(([, , at]) => at);
      await call(apiPort, 'DELETE', `/api/v1/webhooks/${id}`);
      return {
        deliveries_per_second_end_to_end: Math.round(ALERTS / ((Math.max(...times) - burst.started) / 1000)),
        post_alerts_per_second: Math.round(burst.postPerSecond),
        latency_ms: latencies(receipts, burst.sentAt, `/${name}`),
      };
    };
    const drain = async (path, extraEnv) => {
      const workerStarted = now();
      const worker = startWorker(extraEnv);
      const drained = await waitReceipts(receiver, ALERTS, ([url]) => url.startsWith(path));
      const times = drained.filter(([url]) => url.startsWith(path)).map(([, , at]) => at);
      await stop(worker);
      return {
        deliveries_per_second: Math.round(ALERTS / ((Math.max(...times) - Math.min(...times)) / 1000)),
        worker_start_to_last_receipt_s: r1((Math.max(...times) - workerStarted) / 1000),
      };
    };
    results.drain = await drain('/drain', matched);
    process.stderr.write(`drain (standalone worker, in-flight ${IN_FLIGHT}): ${results.drain.deliveries_per_second}/s\n`);
    await call(port, 'DELETE', `/api/v1/webhooks/${webhookId}`);
    // The same backlog again, drained with the default in-flight bounds (256 per process, 64 per webhook).
    webhookId = await createWebhook(port, hook('/drain-default'), 'drain-default');
    await postBurst(port, 'drain-default', ALERTS);
    results.drain_default_in_flight = await drain('/drain-default', {});
    process.stderr.write(`drain (standalone worker, default in-flight): ${results.drain_default_in_flight.deliveries_per_second}/s\n`);
    await call(port, 'DELETE', `/api/v1/webhooks/${webhookId}`);
    await stop(api);

    // 3. Burst with in-process workers: alerts POSTed as fast as possible, delivered as they commit.
    port = await freePort();
    api = await startApi({ ...baseEnv, DELIVERY_CONCURRENCY: '2' }, port);
    children.push(api);
    results.burst = await burstEndToEnd(port, 'burst');
    process.stderr.write(`burst: ${JSON.stringify(results.burst)}\n`);

    // 3b. The same burst in the shipped topology (deploy/kubernetes: API replicas with their in-process workers, and a
    // `cli worker` Deployment on the same queue): one API and one `cli worker`.
    {
      const worker = startWorker({});
      await sleep(2000); // connected and listening for wake-ups before the burst starts
      results.burst_with_worker = await burstEndToEnd(port, 'fleet');
      process.stderr.write(`burst with a cli worker: ${JSON.stringify(results.burst_with_worker)}\n`);
      await stop(worker);
    }

    // 4. Trickle: 20 alerts/s.
    webhookId = await createWebhook(port, hook('/trickle'), 'trickle');
    const trickle = await postTrickle(port, 'trickle', TRICKLE_RATE, TRICKLE_SECONDS);
    const trickleReceipts = await waitReceipts(receiver, TRICKLE_RATE * TRICKLE_SECONDS, ([url]) => url.startsWith('/trickle'));
    results.trickle = {
      rate_per_second: TRICKLE_RATE,
      alerts: TRICKLE_RATE * TRICKLE_SECONDS,
      latency_ms: latencies(trickleReceipts, trickle.sentAt, '/trickle'),
      post_response_ms: { p50: r1(pct(trickle.postMs, 50)), p99: r1(pct(trickle.postMs, 99)) },
    };
    process.stderr.write(`trickle: ${JSON.stringify(results.trickle)}\n`);
    await call(port, 'DELETE', `/api/v1/webhooks/${webhookId}`);
    await stop(api);

    // 5. Slow (200 ms) + fast webhook, default in-flight bounds: the fast one's latency solo vs with the slow one.
    port = await freePort();
    api = await startApi({ ...baseEnv, DELIVERY_CONCURRENCY: '2', DELIVERY_MAX_IN_FLIGHT: '256', DELIVERY_MAX_IN_FLIGHT_PER_WEBHOOK: '64' }, port);
    children.push(api);
    const slowFastAlerts = Math.min(ALERTS, 2000);
    let fastId = await createWebhook(port, hook('/fast-solo'), 'fast-solo');
    const solo = await postBurst(port, 'solo', slowFastAlerts);
    const soloReceipts = await waitReceipts(receiver, slowFastAlerts, ([url]) => url.startsWith('/fast-solo'));
    const soloLat = latencies(soloReceipts, solo.sentAt, '/fast-solo');
    await call(port, 'DELETE', `/api/v1/webhooks/${fastId}`);
    fastId = await createWebhook(port, hook('/fast-mixed'), 'fast-mixed');
    const slowId = await createWebhook(port, hook('/slow'), 'slow');
    const mixed = await postBurst(port, 'mixed', slowFastAlerts);
    const mixedStarted = mixed.started;
    const mixedReceipts = await waitReceipts(receiver, slowFastAlerts * 2, ([url]) => url.startsWith('/fast-mixed') || url.startsWith('/slow'));
    const fastLat = latencies(mixedReceipts, mixed.sentAt, '/fast-mixed');
    const slowTimes = mixedReceipts.filter(([url]) => url.startsWith('/slow')).map(([, , at]) => at);
    const slowSeconds = (Math.max(...slowTimes) - mixedStarted) / 1000 + 0.2;
    results.slow_and_fast = {
      alerts: slowFastAlerts,
      fast_solo_latency_ms: soloLat,
      fast_with_slow_latency_ms: fastLat,
      fast_p50_ratio_with_slow_vs_solo: r1(fastLat.p50 / soloLat.p50),
      slow_deliveries_per_second: Math.round(slowFastAlerts / slowSeconds),
      slow_cap_if_limited_by_2_loops: Math.round(2 / 0.2),
      slow_cap_at_per_webhook_in_flight_64: Math.round(64 / 0.2),
    };
    process.stderr.write(`slow+fast: ${JSON.stringify(results.slow_and_fast)}\n`);
    await call(port, 'DELETE', `/api/v1/webhooks/${fastId}`);
    await call(port, 'DELETE', `/api/v1/webhooks/${slowId}`);
    await stop(api);

    results.ratio_to_bare = r1(results.drain.deliveries_per_second / results.bare_reference.deliveries_per_second);
    results.ratio_to_bare_default_in_flight =
      Math.round((results.drain_default_in_flight.deliveries_per_second / results.bare_reference.deliveries_per_second) * 100) / 100;
    results.ratio_to_bare_burst_end_to_end = r2(results.burst.deliveries_per_second_end_to_end / results.bare_reference.deliveries_per_second);
    results.ratio_to_bare_burst_with_worker = r2(results.burst_with_worker.deliveries_per_second_end_to_end / results.bare_reference.deliveries_per_second);
  } finally {
    for (const c of children) await stop(c);
    agent.destroy();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
  results.when = new Date().toISOString();
  const md = render(results);
  process.stdout.write(md);
  writeFileSync(OUT, md);
  writeFileSync(OUT.replace(/\.md$/, '.json'), `${JSON.stringify(results, null, 2)}\n`);
}

function render(r) {
  return `# Delivery benchmark results

Run: ${r.when} · ${r.machine.cpus} CPUs (${r.machine.model}) · Node ${r.machine.node} · \`node bench/delivery/run.js --alerts ${r.alerts} --in-flight ${r.in_flight}\`
Separate processes: receiver, API, standalone worker, bare reference, load. Same receiver, same bodies, same in-flight
concurrency (${r.in_flight}) for the Signalgate drain and the bare loop; the burst, trickle and slow/fast runs use the
default bounds (API with 2 claim loops, 256 in flight, 64 per webhook). Latency is alert POST start → receipt at the
receiver, so it includes the POST itself (trickle POST response p50/p99: ${r.trickle.post_response_ms.p50} / ${r.trickle.post_response_ms.p99} ms).
The machine is shared with other jobs (2 cores): compare ratios within a run, not absolute figures across runs.

| measure | result | target |
| --- | --- | --- |
| bare SKIP LOCKED outbox loop (reference: batch claims of 64, keep-alive, one UPDATE per batch, LISTEN/NOTIFY) | ${r.bare_reference.deliveries_per_second} deliveries/s | — |
| Signalgate drain of ${r.alerts} queued deliveries (\`cli worker\`) | ${r.drain.deliveries_per_second} deliveries/s | ≥ 3000/s |
| ratio to the bare reference | ${r.ratio_to_bare} | ≥ 0.5 |
| same drain with the default in-flight bounds (256, 64 per webhook) | ${r.drain_default_in_flight.deliveries_per_second} deliveries/s (ratio ${r.ratio_to_bare_default_in_flight}) | ≥ 0.5× bare |
| burst, end to end (POST ${r.alerts} alerts at ${r.post_concurrency} concurrent → last receipt) | ${r.burst.deliveries_per_second_end_to_end} deliveries/s (ratio ${r.ratio_to_bare_burst_end_to_end}) | ≥ 0.5× bare |
| burst latency p50 / p99 | ${r.burst.latency_ms.p50} / ${r.burst.latency_ms.p99} ms | — |
| same burst, shipped topology (the API and one \`cli worker\`, deploy/kubernetes) | ${r.burst_with_worker.deliveries_per_second_end_to_end} deliveries/s (ratio ${r.ratio_to_bare_burst_with_worker}; POST ${r.burst_with_worker.post_alerts_per_second}/s; p50 / p99 ${r.burst_with_worker.latency_ms.p50} / ${r.burst_with_worker.latency_ms.p99} ms) | — |
| trickle ${r.trickle.rate_per_second}/s latency p50 / p99 | ${r.trickle.latency_ms.p50} / ${r.trickle.latency_ms.p99} ms | p50 < 10 ms |
| POST /api/v1/alerts throughput (workers off) | ${r.post_alerts_per_second}/s | — |
| POST /api/v1/alerts throughput (workers on, burst) | ${r.burst.post_alerts_per_second}/s | — |
| fast webhook p50 / p99 solo (${r.slow_and_fast.alerts} alerts) | ${r.slow_and_fast.fast_solo_latency_ms.p50} / ${r.slow_and_fast.fast_solo_latency_ms.p99} ms | — |
| fast webhook p50 / p99 next to a 200 ms webhook | ${r.slow_and_fast.fast_with_slow_latency_ms.p50} / ${r.slow_and_fast.fast_with_slow_latency_ms.p99} ms (p50 ratio ${r.slow_and_fast.fast_p50_ratio_with_slow_vs_solo}) | ≤ 2× solo |
| slow (200 ms) webhook throughput | ${r.slow_and_fast.slow_deliveries_per_second}/s (2 loops ÷ 200 ms would cap at ${r.slow_and_fast.slow_cap_if_limited_by_2_loops}/s) | > loops ÷ latency |

\`\`\`json
${JSON.stringify(r, null, 2)}
\`\`\`
`;
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`bench failed: ${e.stack || e}\n`);
    process.exit(1);
  });
}
module.exports = { render };
