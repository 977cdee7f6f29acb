import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { e2e, strictRawEnv } from './support/e2e-env';
import { ApiProcess, CLI_MAIN, NodeProcess, runCli, type RunResult } from './support/processes';
import { freePort, PrivateRedis, tcpOpen, waitFor } from './support/services';

/**
 * `cli proof-pack` end to end (CONTRACT §7), as an operator runs it: the built CLI, a real PostgreSQL reached
 * through a role whose password is full of URL-special characters, and a private Redis with `requirepass`.
 */

// Every character that breaks a naive DSN parser, plus a literal percent-escape to catch double decoding.
const PG_PASSWORD = `pg@P:ss/w#rd?x=1&y%2F+!$;'"\\ end`;
// redis-server reads --requirepass from its argv; quotes and spaces would need config-file quoting there.
const REDIS_PASSWORD = 'rd@P:ss/w#rd?a=1&b%3A+!$';

const forbidden = (pw: string) => [...new Set([pw, encodeURIComponent(pw)])];

/** PIDs of live processes whose environment carries `marker`: the proof pack's children inherit the CLI's env. */
function processesWithMarker(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      if (environ.includes(marker)) found.push(Number(entry));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return found;
}

interface EvidenceJson {
  result: string;
  steps: Array<{ id: number; status: string; reason: string; http: Array<{ exchange: { status?: number; json?: unknown; url: string } }> }>;
}

function readEvidence(dir: string): { md: string; json: EvidenceJson; raw: string } {
  const raw = readFileSync(join(dir, 'evidence.json'), 'utf8');
  return { md: readFileSync(join(dir, 'evidence.md'), 'utf8'), json: JSON.parse(raw) as EvidenceJson, raw };
}

function portsIn(ev: EvidenceJson): number[] {
  const ports: number[] = [];
  for (const s of ev.steps) for (const h of s.http) ports.push(Number(new URL(h.exchange.url).port));
  return ports;
}

describe('cli proof-pack', () => {
  const roleName = `sg_pp_${randomBytes(3).toString('hex')}`;
  const dbName = `sg_pp_db_${randomBytes(3).toString('hex')}`;
  let databaseUrl: string;
  let redis: PrivateRedis;
  const outDirs: string[] = [];
  const newOutDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'sg-evidence-'));
    outDirs.push(d);
    return join(d, 'out');
  };

  beforeAll(async () => {
    const admin = new Client({ connectionString: e2e.adminUrl });
    await admin.connect();
    await admin.query(`CREATE ROLE ${roleName} LOGIN PASSWORD ${admin.escapeLiteral(PG_PASSWORD)}`);
    // Its own database, owned by the role: the proof pack migrates it from empty.
    await admin.query(`CREATE DATABASE ${dbName} OWNER ${roleName}`);
    await admin.end();
    const u = new URL(e2e.adminUrl);
    databaseUrl = `postgresql://${roleName}:${encodeURIComponent(PG_PASSWORD)}@${u.host}/${dbName}`;
    redis = await PrivateRedis.start(REDIS_PASSWORD);
  });

  afterAll(async () => {
    await redis?.stop();
    const admin = new Client({ connectionString: e2e.adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.query(`DROP ROLE IF EXISTS ${roleName}`);
    await admin.end();
    for (const d of outDirs) rmSync(d, { recursive: true, force: true });
  });

  const env = (marker: string, overrides: Record<string, string | undefined> = {}) =>
    strictRawEnv({ DATABASE_URL: databaseUrl, REDIS_URL: redis.url, PROOF_PACK_TEST_MARKER: marker, ...overrides });

  function expectNoSecrets(texts: Record<string, string>): void {
    for (const [where, text] of Object.entries(texts)) {
      for (const secret of [...forbidden(PG_PASSWORD), ...forbidden(REDIS_PASSWORD)]) {
        if (text.includes(secret)) throw new Error(`a password (${secret.length} chars) appears in ${where}`);
      }
    }
  }

  it('says GO against real PostgreSQL and Redis with URL-special passwords, and leaks neither password', async () => {
    const marker = `pp-go-${randomBytes(4).toString('hex')}`;
    const out = newOutDir();
    const r: RunResult = await runCli(['proof-pack', '--out', out], env(marker), 240_000);
    const ev = readEvidence(out);

    expectNoSecrets({ stdout: r.stdout, stderr: r.stderr, 'evidence.md': ev.md, 'evidence.json': ev.raw });
    expect({ code: r.code, steps: ev.json.steps.map((s) => `${s.id}:${s.status} ${s.reason}`) }).toEqual({
      code: 0,
      steps: [expect.stringMatching(/^1:PASS/), expect.stringMatching(/^2:PASS/), expect.stringMatching(/^3:PASS/), expect.stringMatching(/^4:PASS/)],
    });
    expect(r.stdout.trim().split('\n').pop()).toBe('GO');
    expect(ev.json.result).toBe('GO');
    expect(ev.md).toContain('## Result: GO');
    // The template's sections and the masked credentials are there.
    for (const heading of [
      '### Metadata',
      '- Date (UTC): ',
      '- Service version: ',
      '- Git SHA (if available): ',
      '- Runner/Host (masked): ',
      '### Step 1',
      '### Step 2',
      '### Step 3',
      '### Step 4',
    ]) {
      expect(ev.md).toContain(heading);
    }
    expect(ev.md).toContain(`postgresql://${roleName}:***@`);
    expect(ev.md).toContain(`redis://:***@127.0.0.1:${redis.port}/0`);
    expect(ev.md).toContain('redis://:***@127.0.0.1:1/0');
    expect(ev.md).toMatch(/HTTP\/1\.1 200/);
    expect(ev.md).toMatch(/HTTP\/1\.1 503/);

    // Nothing it started is left: no process with its environment, no port still answering.
    expect(processesWithMarker(marker)).toEqual([]);
    for (const port of portsIn(ev.json)) expect(await tcpOpen('127.0.0.1', port, 300)).toBe(false);
  }, 300_000);

  it('says NO-GO, exits non-zero and writes NO-GO evidence when Redis is down', async () => {
    const marker = `pp-nogo-${randomBytes(4).toString('hex')}`;
    const down = await PrivateRedis.start(REDIS_PASSWORD);
    await down.kill();
    const out = newOutDir();
    const r = await runCli(['proof-pack', '--out', out, '--skip-failfast', '--wait-ms', '5000'], env(marker, { REDIS_URL: down.url }), 240_000);
    const ev = readEvidence(out);

    expectNoSecrets({ stdout: r.stdout, stderr: r.stderr, 'evidence.md': ev.md, 'evidence.json': ev.raw });
    expect(r.code).not.toBe(0);
    expect(r.stdout.trim().split('\n').pop()).toBe('NO-GO');
    expect(ev.json.result).toBe('NO-GO');
    expect(ev.md).toContain('## Result: NO-GO');
    const step2 = ev.json.steps.find((s) => s.id === 2);
    expect(step2?.status).toBe('FAIL');
    const ready = step2?.http[0]?.exchange;
    expect({ status: ready?.status, redis: (ready?.json as { checks?: { redis?: { detail?: string } } })?.checks?.redis?.detail }).toEqual({
      status: 503,
      redis: 'unreachable',
    });
    expect(ev.json.steps.find((s) => s.id === 4)?.status).toBe('SKIPPED');
    expect(processesWithMarker(marker)).toEqual([]);
  }, 300_000);

  it('runs the ready gate against a running deployment with --base-url', async () => {
    const marker = `pp-base-${randomBytes(4).toString('hex')}`;
    const api = ApiProcess.spawn(env(`pp-target-${randomBytes(4).toString('hex')}`), await freePort());
    try {
      await api.waitListening();
      const out = newOutDir();
      const r = await runCli(['proof-pack', '--out', out, '--base-url', `${api.baseUrl}/`, '--skip-failfast'], env(marker), 240_000);
      const ev = readEvidence(out);
      expectNoSecrets({ stdout: r.stdout, stderr: r.stderr, 'evidence.md': ev.md, 'evidence.json': ev.raw, 'target API output': api.output });
      expect({ code: r.code, result: ev.json.result }).toEqual({ code: 0, result: 'GO' });
      const step2 = ev.json.steps.find((s) => s.id === 2);
      expect(step2?.http.map((h) => h.exchange.url)).toEqual([`${api.baseUrl}/api/ready`, `${api.baseUrl}/api/version`]);
      expect(ev.md).toContain('ready gate run against --base-url');
      // The deployment it was pointed at is not its to stop.
      expect(api.running).toBe(true);
      expect(processesWithMarker(marker)).toEqual([]);
    } finally {
      await api.stop();
    }
  }, 300_000);

  it('refuses to run without DATABASE_URL and REDIS_URL (exit 2, no evidence)', async () => {
    const out = newOutDir();
    const r = await runCli(['proof-pack', '--out', out], env('pp-noredis', { CI_STRICT: '0', REDIS_URL: undefined }), 30_000);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('needs DATABASE_URL and REDIS_URL');
    expect(() => readFileSync(join(out, 'evidence.md'))).toThrow();
  });

  it('stops every process it started when interrupted (SIGINT) and exits non-zero', async () => {
    const marker = `pp-int-${randomBytes(4).toString('hex')}`;
    const pack = NodeProcess.start(CLI_MAIN, ['proof-pack', '--out', newOutDir()], env(marker));
    try {
      // Step 2 starts an API instance of its own: interrupt while it runs.
      await waitFor(
        () => pack.stdout.includes('step 2:') && processesWithMarker(marker).some((pid) => pid !== pack.child.pid),
        120_000,
        'step 2 to start the API',
      );
      pack.child.kill('SIGINT');
      const t0 = Date.now();
      const { code } = await pack.exited;
      expect(code).toBe(130);
      expect(Date.now() - t0).toBeLessThan(15_000);
      expectNoSecrets({ stdout: pack.stdout, stderr: pack.stderr });
      await waitFor(() => processesWithMarker(marker).length === 0, 5_000, 'the children to be gone');
    } finally {
      await pack.stop('SIGKILL');
    }
  }, 200_000);
});
