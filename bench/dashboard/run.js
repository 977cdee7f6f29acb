#!/usr/bin/env node
// Dashboard feed benchmark (issue 10): 1,000 WebSocket clients on one built API process. An alert POST → the
// `alert.created` event at every client: p50/p99 of (event received − POST sent), and the API's resident memory per
// idle client. Targets: p99 < 100 ms, < 50 KiB per idle client. Writes bench/dashboard/results.md.
//
//   npm run build && node bench/dashboard/run.js [--clients 1000] [--alerts 30] \
//     [--admin postgresql://postgres@127.0.0.1:5432/postgres] [--redis redis://127.0.0.1:6379/0]
//
// The clients run in this process (one event loop receives every copy), so the latencies include its queueing too.
const { arg, sleep, pct, freePort, rssKib } = require('../support');
const { spawn, spawnSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { writeFileSync } = require('node:fs');
const { cpus, loadavg } = require('node:os');
const { join, resolve } = require('node:path');
const { Client } = require('pg');
const WebSocket = require('ws');

const ROOT = resolve(__dirname, '../..');
const API = join(ROOT, 'dist/apps/api/main.js');
const CLI = join(ROOT, 'dist/apps/cli/main.js');
const CLIENTS = Number(arg('clients', '1000'));
const ALERTS = Number(arg('alerts', '30'));
const ADMIN_URL = arg('admin', 'postgresql://postgres@127.0.0.1:5432/postgres');
const REDIS_URL = arg('redis', 'redis://127.0.0.1:6379/0');
const SECRET_KEY = randomBytes(32).toString('hex');

async function main() {
  const dbName = `sg_bench_ws_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const dbUrl = new URL(ADMIN_URL);
  dbUrl.pathname = `/${dbName}`;
  const port = await freePort();
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ENV: 'test',
    CI_STRICT: '1',
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL,
    SECRET_KEY,
    LOG_LEVEL: 'warn',
    SHUTDOWN_DELAY_MS: '0',
    HOST: '127.0.0.1',
    PORT: String(port),
    DELIVERY_CONCURRENCY: '0',
    WS_MAX_CONNECTIONS: String(CLIENTS + 100),
  };
  let api;
  const sockets = [];
  try {
    const migrate = spawnSync(process.execPath, [CLI, 'migrate', 'up'], { env, encoding: 'utf8' });
    if (migrate.status !== 0) throw new Error(`migrate up failed: ${migrate.stderr}`);
    const token = spawnSync(process.execPath, [CLI, 'token', '--sub', 'bench', '--scope', 'admin'], { env, encoding: 'utf8' }).stdout.trim();
    api = spawn(process.execPath, [API], { env, cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i += 1) {
      const ok = await fetch(`${base}/api/ready`)
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) break;
      if (i > 300) throw new Error('the API did not become ready');
      await sleep(100);
    }
    await sleep(1000);
    const rssBefore = rssKib(api.pid);

    // Connect in batches of 100, each client waiting for its snapshot.
    const received = new Map(); // alert id -> array of receipt times
    for (let i = 0; i < CLIENTS; i += 100) {
      await Promise.all(
        Array.from(
          { length: Math.min(100, CLIENTS - i) },
          () =>
            new Promise((ok, fail) => {
              const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/ws/dashboard`, ['signalgate.dashboard.v1', `bearer.${token}`]);
              sockets.push(ws);
              ws.once('error', fail);
              ws.on('message', (data) => {
                const now = performance.now();
                const m = JSON.parse(data);
                if (m.type === 'snapshot') ok();
                else if (m.type === 'alert.created') {
                  const list = received.get(m.alert.id) ?? [];
                  list.push(now);
                  received.set(m.alert.id, list);
                }
              });
            }),
        ),
      );
    }
    await sleep(3000);
    const rssIdle = rssKib(api.pid);
    const perClientKiB = (rssIdle - rssBefore) / CLIENTS;

    const latencies = [];
    let missing = 0;
    for (let n = 0; n < ALERTS; n += 1) {
      const sent = performance.now();
      const res = await fetch(`${base}/api/v1/alerts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ title: `bench ${n}`, severity: 'info', fingerprint: `bench-${n}-${Date.now()}` }),
      });
      const { id } = await res.json();
      for (let i = 0; i < 100 && (received.get(id)?.length ?? 0) < CLIENTS; i += 1) await sleep(10);
      const times = received.get(id) ?? [];
      missing += CLIENTS - times.length;
      for (const t of times) latencies.push(t - sent);
      await sleep(100);
    }
    const p50 = pct(latencies, 50);
    const p99 = pct(latencies, 99);
    const max = Math.max(...latencies);
    const verdict = (ok) => (ok ? 'meets' : 'MISSES');
    const lines = [
      '# Dashboard feed: 1,000 WebSocket clients on one process',
      '',
      `Run: ${new Date().toISOString()}, node ${process.version}, ${cpus().length} CPU(s), load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
      `(shared machine: other work ran beside it). \`node bench/dashboard/run.js --clients ${CLIENTS} --alerts ${ALERTS}\` on the built API.`,
      '',
      '| figure | value | target |',
      '| --- | --- | --- |',
      `| clients | ${CLIENTS} | 1,000 |`,
      `| alert POST → \`alert.created\` at every client, p50 | ${p50.toFixed(1)} ms | |`,
      `| same, p99 | ${p99.toFixed(1)} ms | < 100 ms (${verdict(p99 < 100)}) |`,
      `| same, max | ${max.toFixed(1)} ms | |`,
      `| events not received | ${missing} of ${CLIENTS * ALERTS} | 0 |`,
      `| API RSS before clients / with ${CLIENTS} idle clients | ${(rssBefore / 1024).toFixed(1)} MiB / ${(rssIdle / 1024).toFixed(1)} MiB | |`,
      `| resident memory per idle client | ${perClientKiB.toFixed(1)} KiB | < 50 KiB (${verdict(perClientKiB < 50)}) |`,
      '',
      "Latency is measured from just before the POST is sent to each client's receipt, so it includes the HTTP",
      'request, the commit, one JSON serialisation shared by all clients and 1,000 socket writes, and this process',
      "receiving 1,000 copies on one event loop. Memory is the API's RSS difference (ws sockets, per-client state, buffers).",
      '',
    ];
    writeFileSync(join(__dirname, 'results.md'), lines.join('\n'));
    console.log(lines.join('\n'));
    if (missing > 0) process.exitCode = 1;
  } finally {
    for (const ws of sockets) ws.terminate();
    if (api) {
      api.kill('SIGKILL');
      await new Promise((r) => api.once('exit', r));
    }
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
