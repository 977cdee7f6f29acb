import { spawnSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import { envSchema } from '@app/config';
import { ROOT, SHIPPED_NODE_FLAGS } from './support/processes';
import { which } from './support/services';

/**
 * deploy/kubernetes as the cluster would receive it: rendered by `kubectl kustomize` (offline; .ci/run installs
 * Debian's kubernetes-client when kubectl is missing: this suite fails without it, never skips), then checked object
 * by object: the autoscaler, topology spread, a preStop that matches SHUTDOWN_DELAY_MS, grace periods that cover the
 * drain, startup probes that outlast a 3-minute database outage, and the worker as its own Deployment.
 */
// Rendered manifests are loosely typed YAML; the assertions check their shape.
type K8s = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SCHEMA_KEYS = new Set(Object.keys(envSchema.describe().keys ?? {}));
/** A database outage during a rollout that must not restart new pods (issue 12), plus a margin for probe timing. */
const OUTAGE_SECONDS = 180;
const MARGIN_SECONDS = 30;

function render(): K8s[] {
  const kubectl = which('kubectl');
  if (!kubectl) throw new Error('kubectl is not installed (apt-get install kubernetes-client; .ci/run does)');
  const r = spawnSync(kubectl, ['kustomize', 'deploy/kubernetes'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`kubectl kustomize deploy/kubernetes failed (${r.status}): ${r.stderr}`);
  return parseAllDocuments(r.stdout).map((d) => {
    if (d.errors.length) throw new Error(d.errors.map((e) => e.message).join('; '));
    return d.toJS() as K8s;
  });
}

describe('deploy/kubernetes rendered by kubectl kustomize', () => {
  const objects = render();
  const find = (kind: string, name: string) => {
    const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
    if (!o) throw new Error(`no ${kind} ${name} in the rendered manifests (have: ${objects.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')})`);
    return o;
  };
  const config = find('ConfigMap', 'signalgate-config').data as Record<string, string>;
  const api = find('Deployment', 'signalgate-api');
  const worker = find('Deployment', 'signalgate-worker');
  const apiContainer = api.spec.template.spec.containers[0];
  const workerContainer = worker.spec.template.spec.containers[0];
  const ms = (name: string) => {
    const v = Number(config[name]);
    if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} missing from the ConfigMap`);
    return v;
  };

  it('renders every object the kit needs, all labelled, the image set', () => {
    const kinds = objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(kinds).toEqual(
      expect.arrayContaining([
        'ConfigMap/signalgate-config',
        'Deployment/signalgate-api',
        'Deployment/signalgate-worker',
        'HorizontalPodAutoscaler/signalgate-api',
        'Job/signalgate-migrate',
        'PodDisruptionBudget/signalgate-api',
        'PodDisruptionBudget/signalgate-worker',
        'Service/signalgate-api',
      ]),
    );
    for (const o of objects)
      expect({ o: o.metadata.name, part: o.metadata.labels?.['app.kubernetes.io/part-of'] }).toEqual({ o: o.metadata.name, part: 'signalgate' });
    for (const d of [api, worker]) expect(d.spec.template.spec.containers[0].image).toMatch(/^registry\.example\.com\/signalgate:/);
  });

  it('scales the API with an autoscaling/v2 HPA on CPU (min 2), and leaves the replica count to it', () => {
    const hpa = find('HorizontalPodAutoscaler', 'signalgate-api');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'signalgate-api' });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
    const cpu = hpa.spec.metrics.find((m: K8s) => m.type === 'Resource' && m.resource.name === 'cpu');
    expect(cpu.resource.target.type).toBe('Utilization');
    expect(cpu.resource.target.averageUtilization).toBeGreaterThan(0);
    expect(cpu.resource.target.averageUtilization).toBeLessThanOrEqual(90);
    // Utilization is relative to the request: without one the HPA cannot compute it.
    expect(apiContainer.resources.requests.cpu).toBeDefined();
    // An apply must not reset what the autoscaler chose.
    expect(api.spec.replicas).toBeUndefined();
  });

  it('spreads the API and the worker over zones and nodes, counting only pods of the same rollout', () => {
    for (const d of [api, worker]) {
      const spread = d.spec.template.spec.topologySpreadConstraints as K8s[];
      expect(spread.map((c) => c.topologyKey).sort()).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
      for (const c of spread) {
        expect(c.maxSkew).toBe(1);
        expect(c.labelSelector.matchLabels).toEqual(d.spec.selector.matchLabels);
        expect(c.matchLabelKeys).toEqual(['pod-template-hash']);
      }
    }
  });

  it('sleeps in preStop exactly SHUTDOWN_DELAY_MS, and the grace period covers preStop + SHUTDOWN_TIMEOUT_MS', () => {
    const command = apiContainer.lifecycle.preStop.exec.command as string[];
    expect(command[0]).toBe('sleep');
    expect(Number(command[1]) * 1000).toBe(ms('SHUTDOWN_DELAY_MS'));
    expect(ms('SHUTDOWN_DELAY_MS')).toBeLessThan(ms('SHUTDOWN_TIMEOUT_MS'));
    // The kubelet's grace period counts from the start of preStop; the app's cap runs after it.
    expect(api.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(Number(command[1]) * 1000 + ms('SHUTDOWN_TIMEOUT_MS'));
    // The worker takes no traffic (no preStop); its drain is capped by SHUTDOWN_TIMEOUT_MS.
    expect(workerContainer.lifecycle?.preStop).toBeUndefined();
    expect(worker.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(ms('SHUTDOWN_TIMEOUT_MS'));
  });

  it(`gives new pods a startup window longer than a ${OUTAGE_SECONDS} s database outage plus a margin, before liveness can restart them`, () => {
    for (const c of [apiContainer, workerContainer]) {
      const s = c.startupProbe;
      expect({ c: c.name, window: s.periodSeconds * s.failureThreshold >= OUTAGE_SECONDS + MARGIN_SECONDS }).toEqual({ c: c.name, window: true });
      expect(s.timeoutSeconds).toBeLessThanOrEqual(s.periodSeconds);
      expect(c.livenessProbe).toBeDefined();
    }
    expect(apiContainer.startupProbe.httpGet.path).toBe('/api/health/startup');
    // Liveness never depends on PostgreSQL: an outage after startup does not restart the API either.
    expect(apiContainer.livenessProbe.httpGet.path).toBe('/api/health/live');
  });

  it('runs the worker as its own Deployment: `cli worker`, probed and scraped on WORKER_METRICS_PORT, same config and secrets', () => {
    expect(workerContainer.command).toEqual(['node', ...SHIPPED_NODE_FLAGS, 'dist/apps/cli/main.js', 'worker']);
    expect(worker.spec.selector.matchLabels['app.kubernetes.io/component']).toBe('worker');
    expect(worker.spec.replicas).toBeGreaterThanOrEqual(2);
    const port = workerContainer.ports.find((p: K8s) => p.name === 'metrics');
    expect(port.containerPort).toBe(ms('WORKER_METRICS_PORT'));
    for (const probe of [workerContainer.startupProbe, workerContainer.livenessProbe]) expect(probe.httpGet).toEqual({ path: '/metrics', port: 'metrics' });
    // No Service selects the worker: it takes no traffic.
    const services = objects.filter((o) => o.kind === 'Service');
    for (const s of services) expect(s.spec.selector['app.kubernetes.io/component']).not.toBe('worker');
    expect(workerContainer.envFrom).toEqual(apiContainer.envFrom);
    expect(workerContainer.env).toEqual(apiContainer.env);
    expect(Object.keys(config).filter((k) => !SCHEMA_KEYS.has(k))).toEqual([]);
    expect(worker.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(workerContainer.securityContext.readOnlyRootFilesystem).toBe(true);
  });

  it('has a disruption budget for each Deployment that selects its pods and never blocks every eviction', () => {
    for (const [name, d] of [
      ['signalgate-api', api],
      ['signalgate-worker', worker],
    ] as const) {
      const pdb = find('PodDisruptionBudget', name);
      expect(pdb.spec.selector.matchLabels).toEqual(d.spec.selector.matchLabels);
      // minAvailable below the smallest replica count (HPA min 2 for the API), or maxUnavailable ≥ 1.
      if (pdb.spec.maxUnavailable !== undefined) expect(pdb.spec.maxUnavailable).toBeGreaterThanOrEqual(1);
      else expect(pdb.spec.minAvailable).toBeLessThan(d.spec.replicas ?? find('HorizontalPodAutoscaler', name).spec.minReplicas);
    }
  });
});
