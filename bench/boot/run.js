#!/usr/bin/env node
// Boot benchmark (issue 15): spawn → first 200 on the readiness route, Signalgate (strict mode, the built
// dist/apps/api/main.js) against a stock NestJS 11 app (bench/boot/stock-app: ConfigModule + Joi, TypeORM, Terminus
// readiness with a TypeORM ping and an ioredis ping, Fastify) on the same PostgreSQL and Redis. Rounds alternate
// which one starts first. Also: idle RSS of both after boot, and Signalgate's RSS after a 60 s intake run
// (autocannon POST /api/v1/alerts) and 30 s later. Writes bench/boot/RESULTS.md and RESULTS.json.
//
//   npm run build && node bench/boot/run.js [--runs 5] [--intake-seconds 60] [--settle-seconds 30] \
//     [--admin postgresql://postgres@127.0.0.1:5432/postgres] [--redis redis://127.0.0.1:6379/0] [--out bench/boot/RESULTS.md]
'use strict';
const { arg, sleep, median, freePort, stop, rssKib, scratchDatabase } = require('../support');
const { spawn, spawnSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { readFileSync, writeFileSync } = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const { join, resolve } = require('node:path');
const autocannon = require('autocannon');
const jwt = require('jsonwebtoken');

const ROOT = resolve(__dirname, '../..');
const API = join(ROOT, 'dist/apps/api/main.js');
const CLI = join(ROOT, 'dist/apps/cli/main.js');
const STOCK_OUT = join(ROOT, 'bench/.tmp/stock-app');

const RUNS = Number(arg('runs', '5'));
const INTAKE_S = Number(arg('intake-seconds', '60'));
const SETTLE_S = Number(arg('settle-seconds', '30'));
const ADMIN_URL = arg('admin', process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
const REDIS_URL = arg('redis', process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0');
const OUT = resolve(ROOT, arg('out', 'bench/boot/RESULTS.md'));
const IDLE_AFTER_READY_MS = 3000;
const SECRET_KEY = randomBytes(32).toString('hex');

const mib = (kib) => Math.round((kib / 1024) * 10) / 10;

/** Resident set size of a process in KiB, from /proc (what the kernel, and a container limit, counts). */

/** One GET with a fresh connection (a probe does not reuse one); resolves to the status, or 0 if refused. */
function probe(port, path) {
  return new Promise((ok) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => ok(res.statusCode));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => ok(0));
  });
}

/** The node flags scripts/start-prod.sh starts the API with: the bench measures the API as shipped. */
const API_NODE_FLAGS = (/^API_NODE_FLAGS="([^"]*)"$/m.exec(readFileSync(join(ROOT, 'scripts/start-prod.sh'), 'utf8'))?.[1] ?? '').split(' ').filter(Boolean);

const apps = {
  signalgate: {
    label: 'Signalgate (strict)',
    command: (env) => [
      process.execPath,
      [...API_NODE_FLAGS, API],
      { ...env, ENV: 'test', CI_STRICT: '1', SECRET_KEY, LOG_LEVEL: 'warn', SHUTDOWN_DELAY_MS: '0' },
    ],
    readyPath: '/api/ready',
  },
  stock: {
    label: 'stock NestJS 11',
    command: (env) => [process.execPath, [join(STOCK_OUT, 'main.js')], env],
    readyPath: '/api/ready',
  },
};

/** Spawns one app and polls its readiness route every 5 ms: ms from spawn to the first 200 and to the first answer. */
async function bootOnce(name, databaseUrl, extraEnv = {}) {
  const port = await freePort();
  const [cmd, argv, env] = apps[name].command({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    HOST: '127.0.0.1',
    PORT: String(port),
    ...extraEnv,
  });
  const started = performance.now();
  const child = spawn(cmd, argv, { env, cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  let firstAnswer;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited ${child.exitCode}: ${stderr}`);
    if (performance.now() - started > 60_000) throw new Error(`${name} not ready after 60 s: ${stderr}`);
    const status = await probe(port, apps[name].readyPath);
    if (status && firstAnswer === undefined) firstAnswer = performance.now() - started;
    if (status === 200) break;
    await sleep(5);
  }
  return { child, port, readyMs: performance.now() - started, firstAnswerMs: firstAnswer };
}

async function intakeRun(databaseUrl) {
  const { child, port } = await bootOnce('signalgate', databaseUrl, { RATE_LIMIT_ENABLED: '0' });
  try {
    await sleep(IDLE_AFTER_READY_MS);
    const idle = rssKib(child.pid);
    const token = jwt.sign({ sub: 'bench', scope: 'admin' }, SECRET_KEY, { algorithm: 'HS256', expiresIn: 3600 });
    let n = 0;
    const result = await new Promise((ok, fail) =>
      autocannon(
        {
          url: `http://127.0.0.1:${port}/api/v1/alerts`,
          method: 'POST',
          connections: 32,
          duration: INTAKE_S,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          // A new fingerprint per request: every alert is a row (no dedup shortcut).
          requests: [
            {
              setupRequest: (req) => ({
                ...req,
                body: JSON.stringify({
                  title: 'boot bench alert',
                  severity: 'info',
                  source: 'bench',
                  fingerprint: `boot-${process.pid}-${(n += 1)}`,
                  labels: { bench: 'boot' },
                }),
              }),
            },
          ],
        },
        (err, res) => (err ? fail(err) : ok(res)),
      ),
    );
    const afterRun = rssKib(child.pid);
    await sleep(SETTLE_S * 1000);
    const settled = rssKib(child.pid);
    return {
      requests: result.requests.total,
      per_second: Math.round(result.requests.average),
      non_2xx: result.non2xx,
      errors: result.errors,
      rss_mib: { idle: mib(idle), after_run: mib(afterRun), after_settle: mib(settled) },
      settle_vs_idle: Math.round((settled / idle) * 100) / 100,
    };
  } finally {
    await stop(child);
  }
}

async function main() {
  const dbName = `sg_boot_bench_${process.pid}`;
  const { admin, databaseUrl } = await scratchDatabase(ADMIN_URL, dbName);
  const results = {
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100) },
    runs: RUNS,
  };
  try {
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(__dirname, 'stock-app/tsconfig.json')], {
      stdio: 'inherit',
    });
    if (tsc.status !== 0) throw new Error('stock app did not compile');
    // Strict mode never migrates on boot: migrate first, as a deployment does.
    const migrate = spawnSync(process.execPath, [CLI, 'migrate', 'up'], {
      env: { PATH: process.env.PATH, ENV: 'development', DATABASE_URL: databaseUrl, SECRET_KEY },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (migrate.status !== 0) throw new Error('migrate up failed');
    // One warm-up start each (page cache, PostgreSQL's first connections), not counted.
    for (const name of ['signalgate', 'stock']) await stop((await bootOnce(name, databaseUrl)).child);

    const boots = { signalgate: [], stock: [] };
    for (let round = 0; round < RUNS; round += 1) {
      const order = round % 2 === 0 ? ['signalgate', 'stock'] : ['stock', 'signalgate'];
      for (const name of order) {
        const { child, readyMs, firstAnswerMs } = await bootOnce(name, databaseUrl);
        await sleep(IDLE_AFTER_READY_MS);
        const rss = rssKib(child.pid);
        await stop(child);
        boots[name].push({ ready_ms: Math.round(readyMs), first_answer_ms: Math.round(firstAnswerMs), idle_rss_mib: mib(rss) });
        process.stderr.write(`round ${round + 1} ${name}: ready ${Math.round(readyMs)} ms, idle RSS ${mib(rss)} MiB\n`);
      }
    }
    for (const name of ['signalgate', 'stock']) {
      results[name] = {
        runs: boots[name],
        ready_ms_median: median(boots[name].map((b) => b.ready_ms)),
        first_answer_ms_median: median(boots[name].map((b) => b.first_answer_ms)),
        idle_rss_mib_median: median(boots[name].map((b) => b.idle_rss_mib)),
      };
    }
    results.ready_ratio = Math.round((results.signalgate.ready_ms_median / results.stock.ready_ms_median) * 100) / 100;
    if (INTAKE_S > 0) {
      results.intake = await intakeRun(databaseUrl);
      process.stderr.write(`intake: ${JSON.stringify(results.intake)}\n`);
    }
  } finally {
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
  const sg = r.signalgate;
  const st = r.stock;
  const yes = (b) => (b ? 'met' : '**not met**');
  const row = (name, x) =>
    `| ${name} | ${x.runs.map((b) => b.ready_ms).join(', ')} | ${x.ready_ms_median} ms | ${x.first_answer_ms_median} ms | ${x.idle_rss_mib_median} MiB |`;
  const intake = r.intake
    ? `| RSS after a ${INTAKE_S} s intake run (${r.intake.per_second} alerts/s, ${r.intake.non_2xx} non-2xx), then ${SETTLE_S} s idle | ${r.intake.rss_mib.idle} → ${r.intake.rss_mib.after_run} → ${r.intake.rss_mib.after_settle} MiB (${r.intake.settle_vs_idle}× idle) | ≤ 1.2× idle: ${yes(r.intake.settle_vs_idle <= 1.2)} |`
    : '| intake run | skipped | |';
  return `# Boot benchmark results

Run: ${r.when} · ${r.machine.cpus} CPUs (${r.machine.model}) · Node ${r.machine.node} · load ${r.machine.loadavg.join(' ')} · \`node bench/boot/run.js --runs ${r.runs}\`
Spawn → first 200 on \`/api/ready\`, polled every 5 ms on a fresh connection; ${r.runs} rounds alternating which app
starts first, after one uncounted warm-up start of each. Same PostgreSQL database (migrated beforehand: strict mode
never migrates on boot) and Redis. Idle RSS is VmRSS ${IDLE_AFTER_READY_MS / 1000} s after the first 200.
Stock app: bench/boot/stock-app (NestJS 11 + Fastify, ConfigModule + Joi, TypeORM, Terminus: TypeORM ping + ioredis
ping), compiled with tsc and loaded from node_modules. The machine is shared (2 cores): compare within a run.

| app | spawn → ready, each run (ms) | median | first answer (any status) | idle RSS (median) |
| --- | --- | --- | --- | --- |
${row('Signalgate, strict', sg)}
${row('stock NestJS 11', st)}

| target | result | |
| --- | --- | --- |
| spawn → ready ≤ stock, same run | ${sg.ready_ms_median} vs ${st.ready_ms_median} ms (ratio ${r.ready_ratio}) | ${yes(r.ready_ratio <= 1)} |
| idle RSS after boot ≤ 110 MiB | ${sg.idle_rss_mib_median} MiB | ${yes(sg.idle_rss_mib_median <= 110)} |
${intake}

\`\`\`json
${JSON.stringify(r, null, 2)}
\`\`\`
`;
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e.stack || e}\n`);
  process.exit(1);
});
