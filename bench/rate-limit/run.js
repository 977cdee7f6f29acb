#!/usr/bin/env node
// Rate-limit benchmark (issue 8): POST /api/v1/alerts throughput on the built API with the limiter on (counted in
// Redis, limits high enough that nothing is refused) beside the limiter off (RATE_LIMIT_ENABLED=0), in one run.
// Both APIs run at once on the same database and Redis; rounds alternate off/on so drift in the machine's load hits
// both alike. Target: the limiter costs <= 10 % of throughput. Writes bench/rate-limit/RESULTS.md.
//
//   npm run build && node bench/rate-limit/run.js [--admin postgresql://postgres@127.0.0.1:5432/postgres] \
//     [--redis redis://127.0.0.1:6379/0] [--duration 10] [--connections 32] [--rounds 3]
const { arg, sleep, median, freePort } = require('../support');
const { spawn } = require('node:child_process');
const { randomBytes, randomUUID } = require('node:crypto');
const { writeFileSync } = require('node:fs');
const { cpus, loadavg } = require('node:os');
const { join, resolve } = require('node:path');
const autocannon = require('autocannon');
const jwt = require('jsonwebtoken');
const { Client } = require('pg');

const ROOT = resolve(__dirname, '../..');
const API = join(ROOT, 'dist/apps/api/main.js');
const CLI = join(ROOT, 'dist/apps/cli/main.js');
const ADMIN_URL = arg('admin', 'postgresql://postgres@127.0.0.1:5432/postgres');
const REDIS_URL = arg('redis', 'redis://127.0.0.1:6379/0');
const DURATION_S = Number(arg('duration', '10'));
const CONNECTIONS = Number(arg('connections', '32'));
const ROUNDS = Number(arg('rounds', '3'));
const SECRET_KEY = randomBytes(32).toString('hex');

const env = (databaseUrl, extra) => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  ENV: 'test',
  CI_STRICT: '1',
  DATABASE_URL: databaseUrl,
  REDIS_URL,
  SECRET_KEY,
  LOG_LEVEL: 'warn',
  SHUTDOWN_DELAY_MS: '0',
  HOST: '127.0.0.1',
  DELIVERY_CONCURRENCY: '0',
  ...extra,
});

async function spawnApi(vars) {
  const port = await freePort();
  const child = spawn(process.execPath, [API], { env: { ...vars, PORT: String(port) }, cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const base = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`API exited: ${stderr}`);
    if (Date.now() - t0 > 30_000) throw new Error(`API not ready within 30 s: ${stderr}`);
    try {
      const r = await fetch(`${base}/api/ready`, { signal: AbortSignal.timeout(1000) });
      await r.arrayBuffer();
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  return { child, base };
}

function load(base, token, durationS) {
  return new Promise((ok, fail) => {
    autocannon(
      {
        url: `${base}/api/v1/alerts`,
        method: 'POST',
        connections: CONNECTIONS,
        duration: durationS,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        // A new alert each time (distinct labels → distinct fingerprint): an insert, not a dedup update.
        requests: [
          { setupRequest: (req) => ({ ...req, body: JSON.stringify({ title: 'bench', severity: 'warning', source: 'bench', labels: { id: randomUUID() } }) }) },
        ],
      },
      (err, res) => (err ? fail(err) : ok(res)),
    );
  });
}

async function main() {
  const loadBefore = loadavg();
  const dbName = `sg_bench_rl_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const u = new URL(ADMIN_URL);
  u.pathname = `/${dbName}`;
  const databaseUrl = u.toString();
  const apis = [];
  try {
    const migrate = spawn(process.execPath, [CLI, 'migrate', 'up'], { env: env(databaseUrl, {}), stdio: 'ignore' });
    await new Promise((ok) => migrate.once('exit', ok));
    const limits = { RATE_LIMIT_LIMIT: '1000000', RATE_LIMIT_INTAKE_LIMIT: '1000000' };
    const off = await spawnApi(env(databaseUrl, { ...limits, RATE_LIMIT_ENABLED: '0' }));
    apis.push(off);
    const on = await spawnApi(env(databaseUrl, { ...limits, RATE_LIMIT_ENABLED: '1' }));
    apis.push(on);
    const token = jwt.sign({ scope: 'admin' }, SECRET_KEY, { algorithm: 'HS256', subject: `bench-${randomUUID()}`, expiresIn: 3600 });

    // Each API must really be what it says: the limited one sends X-RateLimit-*, the other does not.
    for (const [api, want] of [
      [off, false],
      [on, true],
    ]) {
      const r = await fetch(`${api.base}/api/v1/alerts?limit=1`, { headers: { authorization: `Bearer ${token}` } });
      await r.arrayBuffer();
      if (r.headers.has('x-ratelimit-limit') !== want) throw new Error(`limiter ${want ? 'missing on' : 'present on'} ${api.base}`);
    }
    await load(off.base, token, 3); // warm-up, not measured
    await load(on.base, token, 3);
    const rounds = [];
    for (let i = 0; i < ROUNDS; i += 1) {
      const round = {};
      for (const [name, api] of i % 2
        ? [
            ['on', on],
            ['off', off],
          ]
        : [
            ['off', off],
            ['on', on],
          ]) {
        const r = await load(api.base, token, DURATION_S);
        round[name] = {
          rps: r.requests.average,
          p50: r.latency.p50,
          p99: r.latency.p99,
          requests: r.requests.total,
          non2xx: r.non2xx,
          errors: r.errors + r.timeouts,
        };
        process.stderr.write(`round ${i + 1} limiter ${name}: ${JSON.stringify(round[name])}\n`);
      }
      round.cost = 1 - round.on.rps / round.off.rps;
      rounds.push(round);
    }
    const cost = median(rounds.map((r) => r.cost));
    const lines = [
      '# Rate limiter cost: POST /api/v1/alerts, limiter on vs off',
      '',
      `Generated by \`node bench/rate-limit/run.js\` (${new Date().toISOString()}). Two built APIs on one PostgreSQL and`,
      'one Redis, in-process delivery off; autocannon posts a new alert per request (an insert), ' +
        `${CONNECTIONS} connections, ${DURATION_S} s per measurement, rounds alternating which goes first.`,
      'The limited API counts every request in Redis (one EVALSHA round trip; limits high enough that none is refused).',
      '',
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}; 1-min load average ${loadBefore[0].toFixed(2)} ` +
        `before the run, ${loadavg()[0].toFixed(2)} after. The machine is shared: absolute figures are noisy; each round ` +
        'compares two measurements taken back to back, and the median over rounds is the figure.',
      '',
      '| round | off req/s | on req/s | off p50 / p99 ms | on p50 / p99 ms | non-2xx (off / on) | cost |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      ...rounds.map(
        (r, i) =>
          `| ${i + 1} | ${r.off.rps.toFixed(0)} | ${r.on.rps.toFixed(0)} | ${r.off.p50} / ${r.off.p99} | ${r.on.p50} / ${r.on.p99} | ` +
          `${r.off.non2xx + r.off.errors} / ${r.on.non2xx + r.on.errors} | ${(r.cost * 100).toFixed(1)} % |`,
      ),
      '',
      `**Median cost of the limiter: ${(cost * 100).toFixed(1)} %** (target: ≤ 10 %): ${cost <= 0.1 ? 'met' : 'NOT met'}.`,
      '',
    ];
    writeFileSync(join(__dirname, 'RESULTS.md'), lines.join('\n'));
    process.stdout.write(lines.join('\n'));
    if (rounds.some((r) => r.off.non2xx + r.on.non2xx + r.off.errors + r.on.errors > 0)) throw new Error('non-2xx answers or errors during the run');
  } finally {
    for (const api of apis) api.child.kill('SIGKILL');
    await sleep(500);
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

main().catch((e) => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exit(1);
});
