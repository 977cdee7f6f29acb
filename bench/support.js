// Small helpers every bench script uses: command-line options, timing statistics, free ports, child processes.
'use strict';
const { readFileSync } = require('node:fs');
const { createServer } = require('node:net');

/** `--name value` from the command line, else the fallback. */
function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Nearest-rank percentile (p in 0–100); NaN for no values. */
function pct(values, p) {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** The middle value (the upper one of an even count), as the scripts' round medians have always been taken. */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const r1 = (x) => Math.round(x * 10) / 10;

/** A TCP port free on the loopback right now. */
function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/** SIGTERM, then SIGKILL after `killAfterMs`; resolves when the child has exited. */
function stop(child, killAfterMs = 15_000) {
  return new Promise((ok) => {
    if (child.exitCode !== null || child.signalCode !== null) return ok();
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.once('exit', () => {
      clearTimeout(timer);
      ok();
    });
    child.kill('SIGTERM');
  });
}

/** Resident set size of a process in KiB, from /proc (what the kernel, and a container limit, counts). */
function rssKib(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

/** Creates database `name` on the server of `adminUrl`; returns the connected admin client (to drop it) and its URL. */
async function scratchDatabase(adminUrl, name) {
  const { Client } = require('pg');
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return { admin, databaseUrl: u.toString() };
}

/**
 * The environment a bench starts the built API (or runs its CLI) with: strict mode on the given database and Redis,
 * loopback receivers allowed, in-process delivery and the rate limiter off unless `extra` says otherwise.
 */
function benchApiEnv({ databaseUrl, port, redisUrl, secretKey }, extra = {}) {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ENV: 'test',
    CI_STRICT: '1',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    SECRET_KEY: secretKey,
    SHUTDOWN_DELAY_MS: '0',
    HOST: '127.0.0.1',
    PORT: String(port),
    DELIVERY_CONCURRENCY: '0',
    RATE_LIMIT_ENABLED: '0',
    WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8',
    ...extra,
  };
}

/** The node flags scripts/start-prod.sh starts the API with (API_NODE_FLAGS): benches run processes as shipped. */
function shippedNodeFlags() {
  const script = require('node:fs').readFileSync(require('node:path').resolve(__dirname, '../scripts/start-prod.sh'), 'utf8');
  return (/^API_NODE_FLAGS="([^"]*)"$/m.exec(script)?.[1] ?? '').split(' ').filter(Boolean);
}

module.exports = { arg, sleep, pct, median, r1, freePort, stop, rssKib, scratchDatabase, shippedNodeFlags, benchApiEnv };
