import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../libs/database/src/net';
import { waitFor } from './support/wait-for';

/**
 * `npm run start:dev` (scripts/dev.js) for real: Rspack's watch build, the API it starts, the embedded PostgreSQL its
 * holder starts (no DATABASE_URL). A change restarts the API (a new process answering ready), and a signal to the
 * watcher, or Ctrl-C to its whole group, leaves none of its processes behind.
 */
const ROOT = join(__dirname, '..');
const TOUCHED = join(ROOT, 'libs/config/src/mask.ts');

/** The live processes of process group `pgid` (from /proc). */
function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command (which may hold spaces): state, ppid, pgrp, ...
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') out.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

async function readyStatus(port: number): Promise<number> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/api/ready`, { signal: AbortSignal.timeout(2000) })).status;
  } catch {
    return 0;
  }
}

describe('npm run start:dev (scripts/dev.js)', () => {
  let base: string;
  let watcher: ChildProcess | undefined;
  let output = '';

  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'sg-dev-e2e-'));
    chmodSync(base, 0o755); // as root, the postgres account must reach the data directory
  });
  afterEach(() => {
    if (watcher?.pid && groupMembers(watcher.pid).length > 0) process.kill(-watcher.pid, 'SIGKILL');
    watcher = undefined;
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  async function startDev(): Promise<{ pid: number; port: number }> {
    const port = await freePort();
    output = '';
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), EMBEDDED_PG_DIR: join(base, 'pg'), LOG_LEVEL: 'warn' };
    // Its own process group, as in a terminal; cwd without a .env.
    const child = spawn(process.execPath, [join(ROOT, 'scripts/dev.js')], { cwd: base, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    watcher = child;
    await waitFor(async () => (await readyStatus(port)) === 200, { timeoutMs: 120_000, intervalMs: 200, what: () => `the first API ready\n${output}` });
    return { pid: child.pid!, port };
  }

  const apiPids = () => [...output.matchAll(/API (?:started|restarted)[^\n]*pid (\d+)/g)].map((m) => Number(m[1]));

  it('restarts the API on a change (a new process, ready), reusing the embedded PostgreSQL; SIGINT to the watcher stops all of it', async () => {
    const { pid, port } = await startDev();
    expect(output).toMatch(/embedded PostgreSQL held on port \d+/);
    const first = apiPids();
    expect(first).toHaveLength(1);

    const now = new Date();
    utimesSync(TOUCHED, now, now); // same content: only the watcher's view changes
    await waitFor(async () => apiPids().length === 2 && (await readyStatus(port)) === 200, {
      timeoutMs: 60_000,
      intervalMs: 100,
      what: () => `a restarted API\n${output}`,
    });
    expect(apiPids()[1]).not.toBe(first[0]);
    expect(groupMembers(pid)).not.toContain(first[0]);
    // The new API reused the server the holder keeps, it did not start one.
    expect(output).toMatch(/already running on port \d+ .*reusing it/);

    process.kill(pid, 'SIGINT');
    await waitFor(() => groupMembers(pid).length === 0, {
      timeoutMs: 30_000,
      intervalMs: 100,
      what: () => `no process left in group ${pid}: ${groupMembers(pid).join(', ')}`,
    });
  }, 240_000);

  it('Ctrl-C (SIGINT to the whole group) leaves no API and no PostgreSQL behind', async () => {
    const { pid } = await startDev();
    expect(groupMembers(pid).length).toBeGreaterThanOrEqual(4); // watcher, holder, postgres, API
    process.kill(-pid, 'SIGINT');
    await waitFor(() => groupMembers(pid).length === 0, {
      timeoutMs: 30_000,
      intervalMs: 100,
      what: () => `no process left in group ${pid}: ${groupMembers(pid).join(', ')}`,
    });
  }, 240_000);
});
