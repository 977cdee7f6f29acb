import { spawnSync } from 'node:child_process';
import { ROOT } from './support/processes';

/**
 * The e2e harness on a machine with no PostgreSQL and no Redis running: it starts the embedded PostgreSQL (as
 * `npm start` does) and a private redis-server. Simulated with a fresh network namespace (`unshare -n`), where the
 * machine's services on 127.0.0.1 are out of reach; needs root, which this project's machines and CI have.
 */
const canUnshare = spawnSync('unshare', ['-n', 'true']).status === 0;

describe('e2e harness without local services', () => {
  it('falls back to the embedded PostgreSQL and a private redis-server', () => {
    if (!canUnshare) throw new Error('unshare -n is not permitted here: run the e2e suite as root');
    const r = spawnSync(
      'unshare',
      ['-n', 'sh', '-c', 'ip link set lo up && exec node node_modules/jest/bin/jest.js --config test/jest-harness.json --runInBand'],
      { cwd: ROOT, encoding: 'utf8', timeout: 180_000, env: { PATH: process.env.PATH, HOME: process.env.HOME } },
    );
    const out = `${r.stdout}\n${r.stderr}`;
    expect(out).toMatch(/e2e: embedded PostgreSQL (started|already running)/);
    expect(out).toMatch(/Tests:\s+2 passed, 2 total/);
    expect(r.status).toBe(0);
  });
});
