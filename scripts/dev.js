#!/usr/bin/env node
// `npm run start:dev`: the API rebuilt incrementally (Rspack's watch mode, unminified, into dist/dev/api: `npm start`'s
// dist/apps and its build stamp are left alone) and restarted after each successful rebuild.
// - The embedded PostgreSQL (when the API would start one) is started once, by a child of its own
//   (scripts/dev-db-holder.js), before the first API: each new API reuses it, so a restart costs the API's boot only.
// - Every child (API, database holder and the server it starts) is in this process's group, and on SIGINT/SIGTERM/
//   SIGHUP this process stops the API (SIGTERM; it drains with SHUTDOWN_DELAY_MS 0 outside strict mode), then the
//   holder (which stops the server), each with a deadline (then SIGKILL), and exits: Ctrl-C leaves nothing running.
// - No code cache for these builds (NODE_DISABLE_COMPILE_CACHE=1): each rebuild is a new build id.
const { fork, spawn } = require('node:child_process');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const OUT = join(ROOT, 'dist', 'dev', 'api');
const STOP_DEADLINE_MS = 15_000;
const say = (msg) => process.stderr.write(`signalgate dev: ${msg}\n`);

let api; // the running API child
let database; // the database holder child
let watching;
let closing = false;
let restarting = Promise.resolve();
let changedAt; // when the watcher saw the change that led to the current rebuild

/** Resolves when `child` has exited: SIGTERM now, SIGKILL after the deadline. */
function stopChild(child, name) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      say(`${name} did not exit within ${STOP_DEADLINE_MS} ms: SIGKILL`);
      child.kill('SIGKILL');
    }, STOP_DEADLINE_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function startApi() {
  const child = spawn(process.execPath, [join(OUT, 'main.js')], {
    cwd: process.cwd(),
    stdio: 'inherit',
    env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: '1' },
  });
  child.once('exit', (code, signal) => {
    if (api === child && !closing) {
      api = undefined;
      say(`API exited (${signal ?? code}); waiting for a change to restart it`);
    }
  });
  api = child;
  return child;
}

function restart(since) {
  restarting = restarting.then(async () => {
    if (closing) return;
    const old = api;
    api = undefined; // stopped on purpose: not reported as an exit
    await stopChild(old, 'API');
    if (closing) return;
    const { pid } = startApi();
    say(since === undefined ? `API started (pid ${pid})` : `API restarted ${Date.now() - since} ms after the change (pid ${pid})`);
  });
}

/** The embedded PostgreSQL holder, when needed; resolves once the server is up (or not needed). */
function startDatabase() {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, 'dev-db-holder.js'), [], { cwd: process.cwd(), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    database = child;
    child.once('message', (m) => {
      if (m.error) reject(new Error(m.error));
      else {
        if (m.ready) say(`embedded PostgreSQL held on port ${m.port} for the API's restarts`);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`the embedded PostgreSQL holder exited (${code}) before it was ready`)));
  });
}

function watch() {
  const { rspack } = require('@rspack/core');
  const { configFor, pageConfig } = require('../rspack.config.js');
  const base = configFor('api');
  const config = {
    ...base,
    // Development mode for Rspack's incremental rebuilds (only there); nodeEnv stays false (process.env.NODE_ENV is
    // left to the environment, as in the real build), devtool and ids as set in rspack.config.js.
    mode: 'development',
    cache: true,
    output: { ...base.output, path: OUT, pathinfo: true },
    optimization: { ...base.optimization, minimize: false },
  };
  // The dashboard page beside it (dist/dev/dashboard, where the API looks: dashboard-assets.ts); the API reads the
  // page at boot, so a change to the page restarts it too.
  const page = pageConfig();
  const pageDev = {
    ...page,
    mode: 'development',
    cache: true,
    output: { ...page.output, path: join(OUT, '..', 'dashboard') },
    optimization: { ...page.optimization, minimize: false },
  };
  const compiler = rspack([config, pageDev]);
  compiler.hooks.invalid.tap('signalgate-dev', () => {
    changedAt ??= Date.now();
  });
  watching = compiler.watch({ aggregateTimeout: 50, ignored: ['**/node_modules/**', '**/dist/**', '**/.data/**', '**/.git/**'] }, (err, stats) => {
    if (err) return say(`build failed: ${err.message}`);
    if (stats.hasErrors()) {
      process.stderr.write(`${stats.toString({ preset: 'errors-only', colors: process.stderr.isTTY })}\n`);
      changedAt = undefined;
      return say('build failed: the running API (if any) is left as it is');
    }
    if (changedAt !== undefined) say(`rebuilt in ${Date.now() - changedAt} ms`);
    restart(changedAt);
    changedAt = undefined;
  });
}

async function shutdown(signal) {
  if (closing) return;
  closing = true;
  say(`${signal}: stopping`);
  await new Promise((resolve) => (watching ? watching.close(resolve) : resolve()));
  await restarting.catch(() => undefined);
  await stopChild(api, 'API');
  await stopChild(database, 'embedded PostgreSQL holder');
  process.exit(0);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void shutdown(signal));

startDatabase().then(watch, async (e) => {
  say(e.message);
  await stopChild(database, 'embedded PostgreSQL holder');
  process.exit(1);
});
