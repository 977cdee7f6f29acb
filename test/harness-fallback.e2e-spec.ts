import { spawnSync } from 'node:child_process';
import { ROOT } from './support/processes';

/**
 * The e2e harness on a machine with no PostgreSQL and no Redis running: it starts the embedded PostgreSQL (as
 * `npm start` does) and a private redis-server. Simulated with a fresh network namespace, where the machine's
 * services on 127.0.0.1 are out of reach. Root gets one with `unshare -n`. Any other user gets one inside a user
 * namespace of its own (`unshare -rn`: root in there only, enough to bring the loopback up), then maps itself back
 * to its own uid for the run, so the harness runs as the same user it runs as outside (PostgreSQL refuses root).
 */
const uid = process.getuid?.() ?? 0;
const gid = process.getgid?.() ?? 0;

/** `sh -c` commands run inside the namespace: bring the loopback up, then `inner` as the calling user. */
function inNamespace(inner: string): string[] {
  const loUp = 'PATH="$PATH:/usr/sbin:/sbin" ip link set lo up';
  if (uid === 0) return ['-n', 'sh', '-c', `${loUp} && exec ${inner}`];
  return ['-rn', 'sh', '-c', `${loUp} && exec unshare -U --map-user=${uid} --map-group=${gid} ${inner}`];
}

const probe = spawnSync('unshare', inNamespace('true'), { encoding: 'utf8' });
const cannotRun =
  probe.status === 0
    ? undefined
    : `unshare ${uid === 0 ? '-n' : '-rn'} is not permitted here (${(probe.stderr || String(probe.error ?? '')).trim()}): unprivileged user namespaces are disabled`;
if (cannotRun) process.stdout.write(`harness-fallback: skipped: ${cannotRun}\n`);

describe('e2e harness without local services', () => {
  (cannotRun ? it.skip : it)('falls back to the embedded PostgreSQL and a private redis-server', () => {
    const r = spawnSync(
      'unshare',
      inNamespace(`${JSON.stringify(process.execPath)} node_modules/jest/bin/jest.js --config test/jest-harness.json --runInBand`),
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 180_000,
        env: { PATH: process.env.PATH, HOME: process.env.HOME },
      },
    );
    const out = `${r.stdout}\n${r.stderr}`;
    expect(out).toMatch(/e2e: embedded PostgreSQL (started|already running)/);
    expect(out).toMatch(/Tests:\s+2 passed, 2 total/);
    expect(r.status).toBe(0);
  });
});
