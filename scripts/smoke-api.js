#!/usr/bin/env node
// Smoke test of the built API on whichever Node runs this script (.ci/run runs it on the newest LTS, the line the
// Docker image uses): a scratch database on the local PostgreSQL, the API from dist/ (not strict: it migrates on
// boot), then ready → version → a token from the built CLI → POST and GET an alert → SIGTERM drains and exits 0.
// Usage: node scripts/smoke-api.js   (ADMIN_DATABASE_URL, REDIS_URL override the local defaults)
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { createServer } = require('node:net');
const { join } = require('node:path');
const { Client } = require('pg');

const ROOT = join(__dirname, '..');
const ADMIN_URL = process.env.ADMIN_DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379/0';
const DEADLINE_MS = 60_000;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function admin(sql) {
  const c = new Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function request(base, path, init = {}) {
  const res = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

function check(ok, what) {
  if (!ok) throw new Error(`smoke: ${what}`);
  console.log(`smoke: ok — ${what}`);
}

async function main() {
  const db = `sg_smoke_${randomBytes(4).toString('hex')}`;
  const dbUrl = Object.assign(new URL(ADMIN_URL), { pathname: `/${db}` }).toString();
  const port = await freePort();
  const env = {
    PATH: process.env.PATH,
    ENV: 'test',
    DATABASE_URL: dbUrl,
    REDIS_URL,
    SECRET_KEY: randomBytes(32).toString('base64'),
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  };
  await admin(`CREATE DATABASE ${db}`);
  const api = spawn(process.execPath, [join(ROOT, 'dist/apps/api/main.js')], { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise((resolve) => api.once('exit', (code, signal) => resolve({ code, signal })));
  try {
    const base = `http://127.0.0.1:${port}`;
    const started = Date.now();
    let ready;
    while (Date.now() - started < DEADLINE_MS) {
      ready = await request(base, '/api/ready').catch(() => undefined);
      if (ready?.status === 200) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    check(ready?.status === 200, `GET /api/ready is 200 on node ${process.version} after ${Date.now() - started} ms`);
    const version = await request(base, '/api/version');
    check(version.status === 200 && typeof version.body?.version === 'string', `GET /api/version answers ${version.body?.version}`);

    const minted = spawnSync(process.execPath, [join(ROOT, 'dist/apps/cli/main.js'), 'token', '--sub', 'smoke', '--scope', 'alerts:read alerts:write'], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
      timeout: 30_000,
    });
    check(minted.status === 0 && minted.stdout.trim().split('.').length === 3, 'cli token mints a bearer token');
    const headers = { authorization: `Bearer ${minted.stdout.trim()}`, 'content-type': 'application/json' };
    const created = await request(base, '/api/v1/alerts', {
      method: 'POST',
      headers,
      body: JSON.stringify({ title: 'smoke', severity: 'warning', source: 'smoke-api', labels: { node: process.version } }),
    });
    check(created.status === 201 && typeof created.body?.id === 'string', 'POST /api/v1/alerts is 201');
    const read = await request(base, `/api/v1/alerts/${created.body.id}`, { headers });
    check(read.status === 200 && read.body?.labels?.node === process.version, 'GET /api/v1/alerts/:id returns it');

    api.kill('SIGTERM');
    const { code, signal } = await Promise.race([exited, new Promise((r) => setTimeout(() => r({ code: 'hung' }), 30_000))]);
    check(code === 0, `SIGTERM drains and exits 0 (exit ${code}${signal ? `, ${signal}` : ''})`);
  } finally {
    if (api.exitCode === null && api.signalCode === null) api.kill('SIGKILL');
    await admin(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  }
}

main().then(
  () => console.log('smoke: 1 passed, 0 failed'),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    console.log('smoke: 0 passed, 1 failed');
    process.exit(1);
  },
);
