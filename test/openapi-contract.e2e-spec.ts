import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { apiClient, bootApi, migrateTestDatabase, Receiver, token, type ApiResponse } from './support/domain';

/**
 * Contract test (issue 8): every /api/v1 route is called on the real app, and each response's status must be
 * documented for that operation in the document the app serves at /api/docs/openapi.json, and its body must
 * validate against the documented schema (Ajv for JSON Schema 2020-12, the dialect of OpenAPI 3.1 schemas). The document itself is validated by
 * @apidevtools/swagger-parser in scripts/openapi.spec.ts.
 */
interface Operation {
  responses: Record<string, { content?: { 'application/json'?: { schema: object } }; headers?: Record<string, unknown> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, object> };
}

let app: NestFastifyApplication;
let url: string;
let doc: Document;
let ajv: Ajv2020;
const validators = new Map<string, ValidateFunction>();
const seen = new Set<string>();

beforeAll(async () => {
  await migrateTestDatabase();
  ({ app, url } = await bootApi());
  const r = await fetch(`${url}/api/docs/openapi.json`);
  expect(r.status).toBe(200);
  doc = (await r.json()) as Document;
  expect((doc as unknown as { openapi: string }).openapi).toBe('3.1.0');
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'openapi', components: doc.components }, 'openapi');
}, 90_000);
afterAll(() => app?.close());

/** Checks one response against the operation `method template`; returns it for chaining. */
function conforms<T>(method: string, template: string, res: ApiResponse<T>): ApiResponse<T> {
  const op = doc.paths[template]?.[method.toLowerCase()];
  expect([method, template, op ? 'documented' : 'missing']).toEqual([method, template, 'documented']);
  const documented = op.responses[String(res.status)];
  expect([method, template, res.status, documented ? 'documented' : `not documented: ${res.text}`]).toEqual([method, template, res.status, 'documented']);
  seen.add(`${method.toLowerCase()} ${template}`);
  // Every header the document promises for this status is there (X-RateLimit-* on successes, Retry-After on 429/503).
  for (const name of Object.keys((documented.headers ?? {}) as object)) {
    expect([method, template, res.status, name, res.headers.get(name) !== null]).toEqual([method, template, res.status, name, true]);
  }
  const schema = documented.content?.['application/json']?.schema;
  if (schema) {
    const key = `${method} ${template} ${res.status}`;
    let validate = validators.get(key);
    if (!validate) {
      validate = ajv.compile(rewriteRefs(schema));
      validators.set(key, validate);
    }
    const ok = validate(res.body);
    expect([key, ok ? 'valid' : ajv.errorsText(validate.errors)]).toEqual([key, 'valid']);
  } else {
    expect([method, template, res.status, res.text]).toEqual([method, template, res.status, '']);
  }
  return res;
}

/** `#/components/schemas/X` → `openapi#/components/schemas/X`, so Ajv resolves refs in the registered document. */
function rewriteRefs(schema: object): object {
  return JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"openapi#/components/')) as object;
}

describe('every /api/v1 response conforms to the OpenAPI document', () => {
  it('webhooks, alerts and deliveries: success, 400, 401, 403, 404, 409', async () => {
    const receiver = await Receiver.start();
    try {
      const admin = apiClient(url, token(['admin'], `contract-${randomUUID()}`));
      const c = (method: string, template: string, path: string, body?: unknown, headers?: Record<string, string>) =>
        admin(method, path, body, headers).then((r) => conforms(method, template, r));

      const created = await c('POST', '/api/v1/webhooks', '/api/v1/webhooks', { name: 'contract', url: receiver.url, min_severity: 'warning' });
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      await c('POST', '/api/v1/webhooks', '/api/v1/webhooks', { name: '', url: 'ftp://x' });
      // Writes answer 415 for another content type and 413 past the body limit, as documented for every write.
      expect((await c('POST', '/api/v1/alerts', '/api/v1/alerts', 'title=x', { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415);
      expect((await c('POST', '/api/v1/alerts', '/api/v1/alerts', `{"title":"${'x'.repeat(300_000)}"}`)).status).toBe(413);
      // No min_severity: the view carries null, which the document must admit.
      const unfiltered = await c('POST', '/api/v1/webhooks', '/api/v1/webhooks', { name: 'contract-unfiltered', url: receiver.url });
      expect(unfiltered.body.min_severity).toBeNull();
      await c('GET', '/api/v1/webhooks/{id}', `/api/v1/webhooks/${unfiltered.body.id as string}`);
      await c('DELETE', '/api/v1/webhooks/{id}', `/api/v1/webhooks/${unfiltered.body.id as string}`);
      await c('GET', '/api/v1/webhooks', '/api/v1/webhooks?limit=5');
      await c('GET', '/api/v1/webhooks/health', '/api/v1/webhooks/health');
      await c('GET', '/api/v1/webhooks/degraded', '/api/v1/webhooks/degraded');
      await c('GET', '/api/v1/webhooks/{id}', `/api/v1/webhooks/${id}`);
      await c('GET', '/api/v1/webhooks/{id}', `/api/v1/webhooks/${randomUUID()}`);
      await c('PATCH', '/api/v1/webhooks/{id}', `/api/v1/webhooks/${id}`, { description: 'patched' });
      await c('POST', '/api/v1/webhooks/{id}/rotate-secret', `/api/v1/webhooks/${id}/rotate-secret`);
      expect((await c('POST', '/api/v1/webhooks/{id}/test', `/api/v1/webhooks/${id}/test`)).status).toBe(202);
      const recovery = await c('POST', '/api/v1/webhooks/{id}/recover', `/api/v1/webhooks/${id}/recover`, {
        since: new Date(Date.now() - 60_000).toISOString(),
      });
      expect(recovery.status).toBe(202);
      expect((await c('POST', '/api/v1/webhooks/{id}/recover', `/api/v1/webhooks/${id}/recover`, { since: 'yesterday' })).status).toBe(400);
      expect((await c('POST', '/api/v1/webhooks/{id}/recover', `/api/v1/webhooks/${randomUUID()}/recover`, { since: '2026-01-01' })).status).toBe(404);
      await c('GET', '/api/v1/webhooks/{id}/recoveries/{rid}', `/api/v1/webhooks/${id}/recoveries/${recovery.body.id as string}`);
      expect((await c('GET', '/api/v1/webhooks/{id}/recoveries/{rid}', `/api/v1/webhooks/${id}/recoveries/${randomUUID()}`)).status).toBe(404);

      const alert = { title: 'contract', severity: 'critical', source: 'contract', labels: { run: randomUUID() } };
      const first = await c('POST', '/api/v1/alerts', '/api/v1/alerts', alert);
      expect(first.status).toBe(201);
      expect((await c('POST', '/api/v1/alerts', '/api/v1/alerts', alert)).status).toBe(200);
      await c('POST', '/api/v1/alerts', '/api/v1/alerts', { title: 'x', severity: 'loud' });
      const alertId = first.body.id as string;
      await c('POST', '/api/v1/alerts/alertmanager', '/api/v1/alerts/alertmanager', {
        version: '4',
        status: 'firing',
        alerts: [{ status: 'firing', labels: { alertname: 'Contract', run: randomUUID() } }],
      });
      await c('GET', '/api/v1/alerts', '/api/v1/alerts?limit=3&status=firing');
      await c('GET', '/api/v1/alerts/{id}', `/api/v1/alerts/${alertId}`);
      await c('GET', '/api/v1/alerts/{id}', `/api/v1/alerts/${randomUUID()}`);
      await c('POST', '/api/v1/alerts/{id}/acknowledge', `/api/v1/alerts/${alertId}/acknowledge`, { note: 'on it' });
      await c('POST', '/api/v1/alerts/{id}/resolve', `/api/v1/alerts/${alertId}/resolve`);

      // The dashboard's charts: 60 per-minute points, the alerts above among them.
      const series = await c('GET', '/api/v1/dashboard/series', '/api/v1/dashboard/series');
      expect(series.body.points).toHaveLength(60);
      expect((series.body.points as Array<{ alerts: number }>).reduce((n, p) => n + p.alerts, 0)).toBeGreaterThanOrEqual(2);

      const deliveries = await c('GET', '/api/v1/deliveries', '/api/v1/deliveries?limit=10');
      await c('GET', '/api/v1/webhooks/{id}/deliveries', `/api/v1/webhooks/${id}/deliveries`);
      const deliveryId = (deliveries.body.items as Array<{ id: string }>)[0]?.id;
      expect(deliveryId).toEqual(expect.any(String));
      await c('GET', '/api/v1/deliveries/{id}', `/api/v1/deliveries/${deliveryId}`);
      await c('GET', '/api/v1/deliveries/{id}', `/api/v1/deliveries/${randomUUID()}`);
      // 202 once it has finished, 409 while it is still pending: both are documented.
      await c('POST', '/api/v1/deliveries/{id}/retry', `/api/v1/deliveries/${deliveryId}/retry`);

      const catalogue = await c('GET', '/api/v1/event-types', '/api/v1/event-types');
      expect(catalogue.status).toBe(200);
      expect(catalogue.headers.get('cache-control')).toBe('private, max-age=300');

      const noToken = apiClient(url, null);
      conforms('GET', '/api/v1/event-types', await noToken('GET', '/api/v1/event-types'));
      conforms('GET', '/api/v1/alerts', await noToken('GET', '/api/v1/alerts'));
      const readOnly = apiClient(url, token(['alerts:read'], `contract-${randomUUID()}`));
      conforms('POST', '/api/v1/webhooks', await readOnly('POST', '/api/v1/webhooks', { name: 'x', url: receiver.url }));
      expect(conforms('GET', '/api/v1/event-types', await readOnly('GET', '/api/v1/event-types')).status).toBe(403);

      expect((await c('DELETE', '/api/v1/webhooks/{id}', `/api/v1/webhooks/${id}`)).status).toBe(204);
      await c('DELETE', '/api/v1/webhooks/{id}', `/api/v1/webhooks/${id}`);
    } finally {
      await receiver.close();
    }
  }, 60_000);

  it('cache: stats, warm, invalidate (no body, all, a namespace, a key), 400, 403', async () => {
    const admin = apiClient(url, token(['cache:admin'], `contract-${randomUUID()}`));
    const c = (method: string, template: string, body?: unknown) => admin(method, template, body).then((r) => conforms(method, template, r));

    expect((await c('POST', '/api/v1/cache/warm')).status).toBe(200);
    expect((await c('GET', '/api/v1/cache/stats')).body).toMatchObject({ enabled: true, l1: { status: 'available' } });
    expect((await c('POST', '/api/v1/cache/invalidate', { namespace: 'health', key: 'all' })).body).toMatchObject({
      scope: 'key',
      namespace: 'health',
      key: 'all',
    });
    expect((await c('POST', '/api/v1/cache/invalidate', { namespace: 'alert' })).body).toMatchObject({ scope: 'namespace', namespace: 'alert', key: null });
    expect((await c('POST', '/api/v1/cache/invalidate', {})).body).toMatchObject({ scope: 'all', namespace: null, key: null });
    expect((await c('POST', '/api/v1/cache/invalidate')).body).toMatchObject({ scope: 'all' });
    expect((await c('POST', '/api/v1/cache/invalidate', { key: 'x' })).status).toBe(400);
    expect((await c('POST', '/api/v1/cache/invalidate', { namespace: 'nope' })).status).toBe(400);

    const reader = apiClient(url, token(['alerts:read'], `contract-${randomUUID()}`));
    expect(conforms('GET', '/api/v1/cache/stats', await reader('GET', '/api/v1/cache/stats')).status).toBe(403);
    expect(conforms('POST', '/api/v1/cache/warm', await reader('POST', '/api/v1/cache/warm')).status).toBe(403);
    expect(conforms('POST', '/api/v1/cache/invalidate', await reader('POST', '/api/v1/cache/invalidate', {})).status).toBe(403);
    expect(conforms('GET', '/api/v1/cache/stats', await apiClient(url, null)('GET', '/api/v1/cache/stats')).status).toBe(401);
  }, 60_000);

  it('a 429 conforms too', async () => {
    const limited = await bootApi({ RATE_LIMIT_LIMIT: '1' });
    try {
      const call = apiClient(limited.url, token(['admin'], `contract-${randomUUID()}`));
      conforms('GET', '/api/v1/alerts', await call('GET', '/api/v1/alerts'));
      expect(conforms('GET', '/api/v1/alerts', await call('GET', '/api/v1/alerts')).status).toBe(429);
    } finally {
      await limited.app.close();
    }
  }, 60_000);

  it('called every /api/v1 operation of the document', () => {
    const all = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/v1/'))
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    expect(all.filter((op) => !seen.has(op))).toEqual([]);
  });

  it('the checks can fail: a body missing fields or with a wrong type does not validate', () => {
    const created = validators.get('POST /api/v1/webhooks 201');
    const page = validators.get('GET /api/v1/alerts 200');
    const stats = validators.get('GET /api/v1/cache/stats 200');
    expect(created && page && stats).toBeTruthy();
    expect(stats?.({ hit_rate: 0.5, cache_hits: 1, cache_misses: 1, current_size_bytes: 0, enabled: true })).toBe(false);
    expect(created?.({ id: randomUUID() })).toBe(false);
    expect(page?.({ items: [{ id: 1 }], next_cursor: null })).toBe(false);
    expect(page?.({ items: [], next_cursor: null })).toBe(true);
    // 3.1 type arrays: null is admitted where the view may carry it, and nothing else is.
    expect(page?.({ items: [], next_cursor: 5 })).toBe(false);
    const catalogue = validators.get('GET /api/v1/event-types 200');
    expect(catalogue?.({ items: [{ type: 'alert.created', description: 'd', schema: {} }] })).toBe(true);
    expect(catalogue?.({ items: [{ type: 'alert.deleted', description: 'd', schema: {} }] })).toBe(false);
  });
});
