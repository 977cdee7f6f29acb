import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { parseAllDocuments } from 'yaml';
import { envSchema } from '@app/config';
import { createScratchDatabase, strictRawEnv } from './support/e2e-env';
import { ApiProcess, childEnv, ROOT } from './support/processes';
import { freePort, tcpOpen, waitFor } from './support/services';

/**
 * The deployment kit (Dockerfile, start-prod.sh, docker-compose.staging.yml, deploy/kubernetes) tested as files, since
 * there is no Docker engine or cluster here: they parse, every variable they hand the app is one the schema knows,
 * the services the API needs are there, probes point at real routes, and start-prod.sh really migrates then serves.
 */

type Yaml = Record<string, unknown>;
const read = (rel: string) => readFileSync(join(ROOT, rel), 'utf8');
const SCHEMA_KEYS = new Set(Object.keys(envSchema.describe().keys ?? {}));
const SECRET_VARS = ['DATABASE_URL', 'REDIS_URL', 'SECRET_KEY'];

/** The probe routes of CONTRACT §3 (the API prefix included). */
const CONTRACT_PROBES = ['/api/health/live', '/api/ready', '/api/health/ready', '/api/health/startup', '/api/health', '/api/health/deep', '/api/version'];

function parseYamlFile(rel: string): Yaml[] {
  // Merge keys (`<<: *anchor`) as Docker Compose reads them.
  const docs = parseAllDocuments(read(rel), { merge: true });
  for (const d of docs) if (d.errors.length) throw new Error(`${rel}: ${d.errors.map((e) => e.message).join('; ')}`);
  return docs.map((d) => d.toJS() as Yaml).filter(Boolean);
}

describe('docker-compose.staging.yml', () => {
  const compose = parseYamlFile('docker-compose.staging.yml')[0] as {
    services: Record<
      string,
      {
        environment?: Record<string, string>;
        depends_on?: Record<string, { condition: string }>;
        healthcheck?: { test: string[] };
        command?: string[];
        restart?: string;
        image?: string;
        build?: unknown;
        stop_grace_period?: string;
        volumes?: string[];
        ports?: string[];
        secrets?: string[];
      }
    >;
    secrets?: Record<string, { file: string }>;
    volumes?: Record<string, unknown>;
  };
  const s = compose.services;

  it('has PostgreSQL and Redis with passwords and healthchecks, a one-shot migrations service, the API, a worker and the monitoring stack', () => {
    expect(Object.keys(s).sort()).toEqual(['alertmanager', 'api', 'grafana', 'migrations', 'postgres', 'prometheus', 'redis', 'worker']);
    expect(s.postgres.environment?.POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?/);
    expect(s.redis.command?.join(' ')).toContain('--requirepass');
    expect(s.redis.environment?.REDIS_PASSWORD).toMatch(/^\$\{REDIS_PASSWORD:\?/);
    for (const name of ['postgres', 'redis']) expect(s[name].healthcheck?.test.length).toBeGreaterThan(0);
    expect(s.migrations.command).toEqual(['node', 'dist/apps/cli/main.js', 'migrate', 'up']);
    expect(s.migrations.restart).toBe('no');
    expect(s.migrations.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
  });

  it('starts the API only after healthy dependencies and successful migrations, in staging mode', () => {
    expect(s.api.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
      migrations: { condition: 'service_completed_successfully' },
    });
    expect(s.api.environment?.ENV).toBe('staging');
    // One image, built from this repository for both (never pulled under a locally built tag).
    expect(s.api.image).toBe(s.migrations.image);
    expect(s.api.build).toEqual(s.migrations.build);
    expect(s.api.build).toMatchObject({ context: '.' });
    // The drain (delay + cap) fits inside Docker's stop grace period.
    const env = s.api.environment ?? {};
    expect(Number(env.SHUTDOWN_DELAY_MS)).toBeLessThan(Number(env.SHUTDOWN_TIMEOUT_MS));
    const drainSeconds = (Number(env.SHUTDOWN_DELAY_MS) + Number(env.SHUTDOWN_TIMEOUT_MS)) / 1000;
    expect(Number(String(s.api.stop_grace_period).replace(/s$/, ''))).toBeGreaterThan(drainSeconds);
  });

  it('passes the app only variables the Joi schema knows, secrets only by interpolation from .env.staging', () => {
    for (const name of ['api', 'migrations', 'worker']) {
      const env = s[name].environment ?? {};
      expect(Object.keys(env).filter((k) => !SCHEMA_KEYS.has(k))).toEqual([]);
      for (const secret of SECRET_VARS) expect(env[secret]).toMatch(new RegExp(`^\\$\\{${secret}:\\?`));
    }
  });

  it('documents every interpolated variable in the committed .env.staging.example, which holds no values for secrets; .env.staging is git-ignored', () => {
    const used = new Set([...read('docker-compose.staging.yml').matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]));
    const example = new Map(
      read('.env.staging.example')
        .split('\n')
        .filter((l) => /^[A-Z_][A-Z0-9_]*=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const),
    );
    expect([...used].filter((v) => !example.has(v))).toEqual([]);
    for (const secret of [...SECRET_VARS, 'POSTGRES_PASSWORD', 'REDIS_PASSWORD', 'GRAFANA_ADMIN_PASSWORD']) expect(example.get(secret)).toBe('');
    expect(spawnSync('git', ['check-ignore', '-q', '.env.staging'], { cwd: ROOT }).status).toBe(0);
    expect(spawnSync('git', ['check-ignore', '-q', '.env.staging.example'], { cwd: ROOT }).status).toBe(1);
  });
});

describe('docker-compose.staging.yml: the monitoring stack (seed 004)', () => {
  const compose = parseYamlFile('docker-compose.staging.yml')[0] as {
    services: Record<
      string,
      {
        command?: string[];
        environment?: Record<string, string>;
        volumes?: string[];
        ports?: string[];
        secrets?: string[];
        depends_on?: Record<string, { condition: string }>;
        healthcheck?: { test: string[] };
        image?: string;
      }
    >;
    secrets?: Record<string, { file: string }>;
    volumes?: Record<string, unknown>;
  };
  const s = compose.services;
  const prometheus = parseYamlFile('deploy/monitoring/prometheus.yml')[0] as {
    rule_files: string[];
    alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
    scrape_configs: { job_name: string; metrics_path?: string; static_configs: { targets: string[] }[] }[];
  };
  const alertmanager = parseYamlFile('deploy/monitoring/alertmanager/alertmanager.yml')[0] as {
    receivers: {
      name: string;
      webhook_configs?: {
        url: string;
        max_alerts?: number;
        http_config?: { authorization?: { type?: string; credentials_file?: string; credentials?: string } };
      }[];
    }[];
  };
  const bindMounts = (name: string) =>
    (s[name].volumes ?? []).filter((v) => v.startsWith('./')).map((v) => ({ host: v.split(':')[0], container: v.split(':')[1] }));

  it('mounts files that exist in this repository, read-only, with pinned images and healthchecks', () => {
    for (const name of ['prometheus', 'alertmanager', 'grafana']) {
      expect(s[name].image).toMatch(/:[v\d][\w.-]*$/);
      expect(s[name].image).not.toMatch(/:latest$/);
      expect(s[name].healthcheck?.test.length).toBeGreaterThan(0);
      const mounts = bindMounts(name);
      expect(mounts.length).toBeGreaterThan(0);
      for (const m of mounts) expect(() => accessSync(join(ROOT, m.host), constants.R_OK)).not.toThrow();
      for (const v of (s[name].volumes ?? []).filter((x) => x.startsWith('./'))) expect(v).toMatch(/:ro$/);
      // Only on the host's loopback: nothing in front of them authenticates.
      for (const p of s[name].ports ?? []) expect(p).toMatch(/^127\.0\.0\.1:/);
    }
    expect(bindMounts('prometheus')).toEqual(
      expect.arrayContaining([
        { host: './deploy/monitoring/prometheus.yml', container: '/etc/prometheus/prometheus.yml' },
        { host: './deploy/monitoring/rules', container: '/etc/prometheus/rules' },
      ]),
    );
    expect(s.prometheus.command).toContain('--config.file=/etc/prometheus/prometheus.yml');
    expect(s.alertmanager.command).toContain('--config.file=/etc/alertmanager/alertmanager.yml');
    expect(bindMounts('alertmanager')).toContainEqual({
      host: './deploy/monitoring/alertmanager/alertmanager.yml',
      container: '/etc/alertmanager/alertmanager.yml',
    });
    expect(bindMounts('grafana')).toEqual(
      expect.arrayContaining([
        { host: './deploy/monitoring/grafana/provisioning', container: '/etc/grafana/provisioning' },
        { host: './deploy/monitoring/grafana/dashboards', container: '/var/lib/grafana/dashboards' },
      ]),
    );
    const provider = parseYamlFile('deploy/monitoring/grafana/provisioning/dashboards/signalgate.yml')[0] as { providers: { options: { path: string } }[] };
    expect(provider.providers[0].options.path).toBe('/var/lib/grafana/dashboards');
    const datasource = parseYamlFile('deploy/monitoring/grafana/provisioning/datasources/prometheus.yml')[0] as { datasources: { url: string; uid: string }[] };
    expect(datasource.datasources[0].url).toBe('http://prometheus:9090');
    expect(s.grafana.environment?.GF_SECURITY_ADMIN_PASSWORD).toMatch(/^\$\{GRAFANA_ADMIN_PASSWORD:\?/);
    expect(compose.volumes).toEqual(expect.objectContaining({ promdata: null, amdata: null, grafanadata: null }));
  });

  it('scrapes the API and the worker where compose runs them, with the rules the stack mounts', () => {
    const jobs = new Map(prometheus.scrape_configs.map((j) => [j.job_name, j]));
    const api = jobs.get('signalgate-api');
    const worker = jobs.get('signalgate-worker');
    expect(api?.metrics_path ?? '/metrics').toBe('/metrics');
    expect(worker?.metrics_path ?? '/metrics').toBe('/metrics');
    expect(api?.static_configs[0].targets).toEqual([`api:${s.api.environment?.PORT}`]);
    expect(worker?.static_configs[0].targets).toEqual([`worker:${s.worker.environment?.WORKER_METRICS_PORT}`]);
    expect(Number(s.worker.environment?.WORKER_METRICS_PORT)).toBeGreaterThan(0);
    expect(s.worker.command).toEqual(['node', 'dist/apps/cli/main.js', 'worker']);
    expect(s.worker.healthcheck?.test.join(' ')).toContain(`127.0.0.1:${s.worker.environment?.WORKER_METRICS_PORT}/metrics`);
    expect(prometheus.alerting.alertmanagers[0].static_configs[0].targets).toEqual(['alertmanager:9093']);
    for (const f of prometheus.rule_files) expect(() => accessSync(join(ROOT, 'deploy/monitoring', f), constants.R_OK)).not.toThrow();
  });

  it("routes alerts to Signalgate's own Alertmanager intake with a token from a git-ignored file, never inline", () => {
    const hooks = alertmanager.receivers.flatMap((r) => r.webhook_configs ?? []);
    expect(hooks.map((h) => h.url)).toEqual([`http://api:${s.api.environment?.PORT}/api/v1/alerts/alertmanager`]);
    const auth = hooks[0].http_config?.authorization;
    expect(auth?.type).toBe('Bearer');
    expect(auth?.credentials).toBeUndefined();
    expect(auth?.credentials_file).toBe('/run/secrets/signalgate_alertmanager_token');
    expect(s.alertmanager.secrets).toEqual(['signalgate_alertmanager_token']);
    const file = compose.secrets?.signalgate_alertmanager_token.file ?? '';
    expect(file).toBe('./deploy/monitoring/secrets/alertmanager.token');
    expect(spawnSync('git', ['check-ignore', '-q', file], { cwd: ROOT }).status).toBe(0);
    // At most what the intake accepts (ALERTMANAGER_MAX_ALERTS' default), or a burst would be refused with 413.
    const maxAlerts = (envSchema.describe().keys?.ALERTMANAGER_MAX_ALERTS as { flags?: { default?: number } }).flags?.default ?? 0;
    expect(hooks[0].max_alerts).toBeGreaterThan(0);
    expect(hooks[0].max_alerts).toBeLessThanOrEqual(maxAlerts);
  });
});

describe('deploy/kubernetes', () => {
  const dir = 'deploy/kubernetes';
  const files = readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.yaml'));
  const docs = files.flatMap((f) => parseYamlFile(join(dir, f)));
  const byKind = (kind: string) => docs.filter((d) => d.kind === kind) as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any

  const deployment = byKind('Deployment').find((d) => d.metadata.name === 'signalgate-api') as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const job = byKind('Job')[0];
  const service = byKind('Service')[0];
  const configMap = byKind('ConfigMap')[0];
  const container = deployment?.spec.template.spec.containers[0];

  it('parses, and the kustomization lists every manifest', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
    const kustomization = docs.find((d) => d.kind === 'Kustomization') as { resources: string[] };
    expect([...kustomization.resources].sort()).toEqual(files.filter((f) => f !== 'kustomization.yaml').sort());
    expect({ deployment: !!deployment, job: !!job, service: !!service, configMap: !!configMap }).toEqual({
      deployment: true,
      job: true,
      service: true,
      configMap: true,
    });
  });

  it('wires liveness, readiness and startup probes to the CONTRACT endpoints on the container port, with sensible timings', () => {
    expect(container.livenessProbe.httpGet.path).toBe('/api/health/live');
    expect(container.readinessProbe.httpGet.path).toBe('/api/ready');
    expect(container.startupProbe.httpGet.path).toBe('/api/health/startup');
    for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
      expect(CONTRACT_PROBES).toContain(probe.httpGet.path);
      expect(probe.httpGet.port).toBe('http');
      // A probe answers within READINESS_TIMEOUT_MS plus a margin: the timeout leaves room for it.
      expect(probe.timeoutSeconds * 1000).toBeGreaterThan(Number(configMap.data.READINESS_TIMEOUT_MS) + 1000);
    }
    expect(container.ports).toEqual([{ name: 'http', containerPort: Number(configMap.data.PORT), protocol: 'TCP' }]);
    // Startup gets minutes; liveness tolerates a few missed beats.
    expect(container.startupProbe.periodSeconds * container.startupProbe.failureThreshold).toBeGreaterThanOrEqual(60);
    expect(container.livenessProbe.failureThreshold).toBeGreaterThanOrEqual(3);
  });

  it('gives the pod more grace than the drain (SHUTDOWN_DELAY_MS + SHUTDOWN_TIMEOUT_MS)', () => {
    // The app's cap (SHUTDOWN_TIMEOUT_MS) covers the delay too: a delay at or above it would end every drain in exit 1.
    expect(Number(configMap.data.SHUTDOWN_DELAY_MS)).toBeLessThan(Number(configMap.data.SHUTDOWN_TIMEOUT_MS));
    const drainMs = Number(configMap.data.SHUTDOWN_DELAY_MS) + Number(configMap.data.SHUTDOWN_TIMEOUT_MS);
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(drainMs);
  });

  it('runs as non-root, and hands the app only schema variables, secrets from a Secret', () => {
    expect(Object.keys(configMap.data).filter((k) => !SCHEMA_KEYS.has(k))).toEqual([]);
    expect(configMap.data.ENV).toMatch(/^(staging|prod|production)$/);
    for (const [what, c, pod] of [
      ['deployment', container, deployment.spec.template.spec],
      ['job', job.spec.template.spec.containers[0], job.spec.template.spec],
    ] as const) {
      const env = c.env as Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
      expect({ what, unknown: env.map((e) => e.name).filter((n) => !SCHEMA_KEYS.has(n)) }).toEqual({ what, unknown: [] });
      for (const secret of SECRET_VARS) {
        const entry = env.find((e) => e.name === secret);
        expect({ what, secret, value: entry?.value, ref: entry?.valueFrom?.secretKeyRef?.name }).toEqual({
          what,
          secret,
          value: undefined,
          ref: 'signalgate-secrets',
        });
      }
      expect(c.envFrom).toEqual([{ configMapRef: { name: configMap.metadata.name } }]);
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    }
  });

  it('has a manual migrate-down Job (not applied by kustomize) wired like the migration Job, never retried', () => {
    const [down] = parseYamlFile(join(dir, 'manual/migrate-down-job.yaml')) as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const c = down.spec.template.spec.containers[0];
    expect(c.command).toEqual(['node', 'dist/apps/cli/main.js', 'migrate', 'down']);
    expect(down.spec.backoffLimit).toBe(0);
    expect(c.env).toEqual(job.spec.template.spec.containers[0].env);
    expect(c.envFrom).toEqual(job.spec.template.spec.containers[0].envFrom);
  });

  it('has a migration Job running `migrate up` once, and a Service that selects the API pods', () => {
    expect(job.spec.template.spec.containers[0].command).toEqual(['node', 'dist/apps/cli/main.js', 'migrate', 'up']);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    expect(job.spec.activeDeadlineSeconds).toBeGreaterThan(0);
    const podLabels = deployment.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(service.spec.selector)) expect(podLabels[k]).toBe(v);
    for (const [k, v] of Object.entries(deployment.spec.selector.matchLabels)) expect(podLabels[k]).toBe(v);
    expect(service.spec.ports[0].targetPort).toBe('http');
    expect(container.command).toEqual(['node', 'dist/apps/api/main.js']);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((l) => l.trim() && !l.trim().startsWith('#'));
  const stages = instructions.filter((l) => /^FROM\s/i.test(l)).map((l) => /\sAS\s+(\S+)/i.exec(l)?.[1]);
  const runtimeStart = instructions.findIndex((l) => /^FROM\s.*\sAS\s+runtime\b/i.test(l));
  const runtime = instructions.slice(runtimeStart);

  it('builds in one stage with dev dependencies and runs from another with production dependencies only', () => {
    expect(stages).toEqual(['build', 'deps', 'runtime']);
    expect(instructions.some((l) => /RUN npm ci(?!.*--omit=dev)/.test(l))).toBe(true);
    expect(instructions.some((l) => /RUN npm ci --omit=dev/.test(l))).toBe(true);
    expect(
      runtime
        .filter((l) => /^COPY --from=/.test(l))
        .map((l) => /--from=(\S+)/.exec(l)?.[1])
        .sort(),
    ).toEqual(['build', 'deps']);
    expect(runtime.some((l) => /^RUN npm (ci|install)\b/.test(l))).toBe(false);
  });

  it('runs as a non-root user, exposes 8001 and health-checks liveness with node (no curl in slim images)', () => {
    const user = runtime.filter((l) => /^USER\s/.test(l)).pop();
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER\s+(root|0)(:|\s|$)/);
    expect(runtime).toContain('EXPOSE 8001');
    const healthcheck = runtime.find((l) => /^HEALTHCHECK\s/.test(l)) ?? '';
    expect(healthcheck).toContain('/api/health/live');
    expect(healthcheck).toMatch(/CMD \["node", "-e", ".*fetch\(/);
    expect(healthcheck).not.toMatch(/curl|wget/);
    expect(healthcheck).toMatch(/AbortSignal\.timeout/);
    expect(runtime.find((l) => /^CMD\s/.test(l))).toBe('CMD ["./scripts/start-prod.sh"]');
  });

  it('copies only files that exist, and keeps secrets out of the build context', () => {
    for (const l of instructions.filter((x) => /^COPY\s/.test(x) && !/--from=/.test(x))) {
      const sources = l
        .replace(/^COPY\s+(--\S+\s+)*/, '')
        .split(/\s+/)
        .slice(0, -1);
      for (const src of sources) if (src !== '.') expect(() => accessSync(join(ROOT, src))).not.toThrow();
    }
    const ignore = read('.dockerignore').split('\n');
    for (const entry of ['.env', '.env.*', 'node_modules', '.git', '.data']) expect(ignore).toContain(entry);
  });

  it('its HEALTHCHECK command exits 0 against a live API and 1 when nothing listens', async () => {
    const cmd = /CMD \["node", "-e", "(.*)"\]\s*$/.exec(runtime.find((l) => /^HEALTHCHECK\s/.test(l)) ?? '')?.[1] ?? '';
    const script = JSON.parse(`"${cmd}"`) as string;
    const port = await freePort();
    const api = ApiProcess.spawn(strictRawEnv(), port);
    try {
      await waitFor(() => tcpOpen('127.0.0.1', port, 200), 30_000, 'the API to listen');
      const up = spawnSync(process.execPath, ['-e', script], { env: childEnv({ PORT: String(port) }), timeout: 10_000 });
      expect(up.status).toBe(0);
    } finally {
      await api.stop();
    }
    const down = spawnSync(process.execPath, ['-e', script], { env: childEnv({ PORT: String(port) }), timeout: 10_000 });
    expect(down.status).toBe(1);
  });
});

describe('the probe paths the kit uses are real routes of the app', () => {
  it('every probe path answers 200 or 503 (never 404) on the built API', async () => {
    const port = await freePort();
    const api = ApiProcess.spawn(strictRawEnv(), port);
    try {
      await waitFor(() => tcpOpen('127.0.0.1', port, 200), 30_000, 'the API to listen');
      const statuses: Record<string, number> = {};
      for (const path of CONTRACT_PROBES) {
        const res = await fetch(`${api.baseUrl}${path}`, { signal: AbortSignal.timeout(5000) });
        statuses[path] = res.status;
      }
      for (const [path, status] of Object.entries(statuses)) expect({ path, ok: status === 200 || status === 503 }).toEqual({ path, ok: true });
    } finally {
      await api.stop();
    }
  });
});

describe('scripts/start-prod.sh', () => {
  const script = join(ROOT, 'scripts/start-prod.sh');

  it('is valid bash and executable', () => {
    expect(spawnSync('bash', ['-n', script]).status).toBe(0);
    expect(() => accessSync(script, constants.X_OK)).not.toThrow();
  });

  it('migrates a fresh database, then execs the API (same pid), which serves until SIGTERM', async () => {
    const scratch = await createScratchDatabase();
    const port = await freePort();
    const child = spawn(script, [], {
      cwd: '/',
      env: childEnv(strictRawEnv({ DATABASE_URL: scratch.url, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' })),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
    try {
      await waitFor(() => tcpOpen('127.0.0.1', port, 200), 60_000, `start-prod.sh to serve on ${port}\n${output}`);
      // Migrated before listening: the migrations table is at head.
      const c = new Client({ connectionString: scratch.url });
      await c.connect();
      const rows = (await c.query('SELECT name FROM migrations')).rows as Array<{ name: string }>;
      await c.end();
      expect(rows.length).toBeGreaterThan(0);
      expect(output).toMatch(/applying migrations[\s\S]*applied: [\s\S]*starting the API/);
      // `exec`: the pid we started is now node running the API (with the script's V8 flags), not a shell waiting for it.
      expect(readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0')).toEqual(['node', '--max-semi-space-size=2', 'dist/apps/api/main.js', '']);
      const res = await fetch(`http://127.0.0.1:${port}/api/health/live`, { signal: AbortSignal.timeout(5000) });
      expect(res.status).toBe(200);
      child.kill('SIGTERM');
      const t0 = Date.now();
      expect(await exited).toBe(0);
      expect(Date.now() - t0).toBeLessThan(15_000);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await scratch.drop();
    }
  }, 120_000);

  it('fails loudly with a non-zero exit and never starts the API when migrations fail', async () => {
    const port = await freePort();
    const r = spawnSync(script, [], {
      env: childEnv(
        strictRawEnv({ DATABASE_URL: 'postgresql://nobody:s3cr3t-pw@127.0.0.1:1/none', DB_CONNECT_TIMEOUT_MS: '500', PORT: String(port), HOST: '127.0.0.1' }),
      ),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).not.toBe(0);
    expect(r.status).not.toBeNull();
    expect(r.stderr).toContain("FATAL: 'migrate up' failed");
    expect(r.stderr).not.toContain('starting the API');
    expect(`${r.stdout}${r.stderr}`).not.toContain('s3cr3t-pw');
    expect(await tcpOpen('127.0.0.1', port, 300)).toBe(false);
  }, 90_000);

  it('refuses to run outside strict mode', () => {
    const r = spawnSync(script, [], { env: childEnv(strictRawEnv({ ENV: 'development', CI_STRICT: '0' })), encoding: 'utf8', timeout: 10_000 });
    expect(r.status).toBe(64);
    expect(r.stderr).toContain('not in strict mode');
  });
});
