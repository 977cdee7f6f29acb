import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './support/processes';

/**
 * .github/workflows/ci.yml, the CI e2e job the design card names as a user: valid per an independent validator
 * (@action-validator/cli, GitHub's workflow schema), the same steps as .ci/run in the same order, PostgreSQL 15 and
 * Redis 7 service containers, then the proof pack in strict mode with its evidence kept as an artifact, no secrets.
 */

const WORKFLOW = '.github/workflows/ci.yml';
const read = (rel: string) => readFileSync(join(ROOT, rel), 'utf8');
const VALIDATOR = join(ROOT, 'node_modules/.bin/action-validator');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string | number>;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<
    string,
    {
      'runs-on': string;
      strategy?: { matrix: { node: string[] } };
      services?: Record<string, { image: string; ports?: string[]; env?: Record<string, string> }>;
      env?: Record<string, string>;
      steps: Step[];
    }
  >;
}

const workflow = () => parse(read(WORKFLOW)) as Workflow;

function validate(file: string): { status: number | null; output: string } {
  const r = spawnSync(VALIDATOR, [file], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw new Error(`action-validator could not run: ${r.error.message}`);
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** The npm commands a shell text runs, in order: `ci`, `run lint`, ... (`npm test` expanded per package.json). */
function npmCommands(shell: string): string[] {
  const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
  const out: string[] = [];
  for (const raw of shell.split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '');
    for (const m of line.matchAll(/\bnpm (ci|test|run(?: -s)? [\w:-]+)\b/g)) {
      const cmd = m[1].replace('run -s ', 'run ');
      if (cmd === 'test') out.push(...npmCommands(scripts.test));
      else out.push(cmd);
    }
  }
  return out;
}

describe('.github/workflows/ci.yml', () => {
  it('passes an independent workflow validator, which does reject a broken workflow', () => {
    const ok = validate(WORKFLOW);
    expect(ok.output).toBe('');
    expect(ok.status).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'signalgate-workflow-'));
    try {
      const broken = join(dir, 'ci.yml');
      writeFileSync(broken, read(WORKFLOW).replace('runs-on: ubuntu-24.04', 'runs_on: ubuntu-24.04'));
      expect(validate(broken).status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs the same npm steps as .ci/run, in the same order, then the proof pack', () => {
    const job = workflow().jobs.ci;
    const fromWorkflow = npmCommands(job.steps.map((s) => s.run ?? '').join('\n'));
    const fromCiRun = npmCommands(read('.ci/run'));
    expect(fromCiRun).toEqual(['ci', 'run lint', 'run typecheck', 'run build', 'run test:all']);
    expect(fromWorkflow).toEqual(fromCiRun);
    // test:all is the README's `npm test` (unit, then e2e) and then the long tier.
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['test:all']).toBe('npm test && npm run test:long');
    expect(npmCommands(scripts.test)).toEqual(['run test:unit', 'run test:e2e']);
    const runs = job.steps.map((s) => s.run ?? '');
    const e2e = runs.findIndex((r) => /npm run test:all/.test(r));
    const proof = runs.findIndex((r) => /dist\/apps\/cli\/main\.js proof-pack --out /.test(r));
    expect(e2e).toBeGreaterThan(-1);
    expect(proof).toBeGreaterThan(e2e);
  });

  it('installs every tool .ci/run installs, so the e2e suite never meets a missing one', () => {
    const ciRun = read('.ci/run');
    const packages = [...ciRun.matchAll(/\b[\w-]+:([\w-]+)\b/g)].map((m) => m[1]).filter((p) => /^prometheus/.test(p));
    expect(new Set(packages)).toEqual(new Set(['prometheus', 'prometheus-alertmanager']));
    const install =
      workflow()
        .jobs.ci.steps.map((s) => s.run ?? '')
        .join('\n')
        .match(/apt-get install [^\n]*/)?.[0] ?? '';
    for (const p of [...packages, 'redis-server']) expect(install.split(/\s+/)).toContain(p);
  });

  it('runs against postgres:15 and redis:7 service containers, with the e2e setup pointed at them', () => {
    const job = workflow().jobs.ci;
    expect(job.services?.postgres.image).toBe('postgres:15');
    expect(job.services?.redis.image).toBe('redis:7');
    expect(job.services?.postgres.ports).toEqual(['5432:5432']);
    expect(job.services?.redis.ports).toEqual(['6379:6379']);
    expect(job.env?.TEST_DATABASE_URL).toBe('postgresql://postgres@127.0.0.1:5432/postgres');
    expect(job.env?.TEST_REDIS_URL).toMatch(/^redis:\/\/127\.0\.0\.1:6379\//);
    // Every maintained LTS line package.json's engines admits, the image's (Dockerfile NODE_IMAGE) among them.
    expect(job.steps.find((s) => s.uses?.startsWith('actions/setup-node@'))?.with?.['node-version']).toBe('${{ matrix.node }}');
    const lines = job.strategy?.matrix.node ?? [];
    expect(lines).toEqual(['22', '24', '26']);
    const imageMajor = /ARG NODE_IMAGE=node:(\d+)\.\d+-[\w-]+/.exec(read('Dockerfile'))?.[1];
    expect(lines).toContain(imageMajor);
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    expect(engines).toBe('^22.19.0 || >=24.11.0');
  });

  it('runs the proof pack in strict mode and keeps its evidence as an artifact whatever the result, without secrets', () => {
    const text = read(WORKFLOW);
    const job = workflow().jobs.ci;
    const proof = job.steps.find((s) => /proof-pack --out/.test(s.run ?? ''));
    expect(proof?.run).toMatch(/export ENV=staging\b/);
    expect(proof?.run).toMatch(/::add-mask::/);
    const outDir = /proof-pack --out "?([^"\s]+)/.exec(proof?.run ?? '')?.[1] ?? '';
    // The upload whose path holds the evidence (other steps upload other artifacts, e.g. the dashboard screenshot).
    const upload = job.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@') && outDir.startsWith(`${String(s.with?.path).replace(/\/$/, '')}/`));
    expect(upload).toBeDefined();
    expect(upload?.if).toBe('always()');
    // Nothing secret to store or print: no repository secrets, passwordless URLs to throwaway containers.
    expect(text).not.toMatch(/secrets\./);
    expect(text).not.toMatch(/:\/\/[^@\s/]*:[^@\s/]+@/);
    expect(workflow().permissions).toEqual({ contents: 'read' });
  });
});
