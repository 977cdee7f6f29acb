import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { EVENT_TYPES } from '@app/delivery';
import { apiClient, bootApi, eventually, migrateTestDatabase, Receiver, type ReceivedRequest, token } from './support/domain';

/**
 * The event catalogue (issue 13) against real deliveries: every event type is caused for real (an alert created,
 * acknowledged and resolved through the API, one created and resolved through Alertmanager, a test ping), the bodies a
 * real receiver got are validated with Ajv (JSON Schema 2020-12) against the schema GET /api/v1/event-types serves
 * AND the one in the served OpenAPI document's `webhooks` section, and mutated bodies are shown to fail both.
 */
interface CatalogueEntry {
  type: string;
  description: string;
  schema: object;
}
interface HeaderParameter {
  name: string;
  in: string;
  required?: boolean;
  schema: object;
}
interface WebhookOperation {
  parameters: HeaderParameter[];
  requestBody: { content: { 'application/json': { schema: object } } };
}

describe('event catalogue: real deliveries validate against GET /api/v1/event-types and the OpenAPI webhooks', () => {
  let app: NestFastifyApplication;
  let url: string;
  let api: ReturnType<typeof apiClient>;
  let receiver: Receiver;
  let webhookId: string | undefined;
  const run = randomUUID();
  /** Validators per event type: [from the endpoint, from the OpenAPI document]. */
  const validators = new Map<string, [ValidateFunction, ValidateFunction]>();
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  let headerParameters: HeaderParameter[] = [];
  /** Our deliveries, parsed: the receiver also gets other suites' events (every webhook gets every alert event). */
  let ours: Array<{ request: ReceivedRequest; body: Record<string, unknown> }> = [];

  beforeAll(async () => {
    await migrateTestDatabase();
    ({ app, url } = await bootApi());
    api = apiClient(url);
    receiver = await Receiver.start();
    const created = await api('POST', '/api/v1/webhooks', { name: `catalogue-${run}`, url: receiver.url });
    expect(created.status).toBe(201);
    webhookId = created.body.id as string;
  }, 90_000);

  afterAll(async () => {
    // The run's database is shared: leave no webhook behind for other suites' deliveries to fan out to.
    if (webhookId) await api('DELETE', `/api/v1/webhooks/${webhookId}`);
    await app?.close();
    await receiver?.close();
  });

  it('serves the catalogue (read scope, cacheable) and the same schemas under the OpenAPI 3.1 `webhooks`', async () => {
    expect((await apiClient(url, null)('GET', '/api/v1/event-types')).status).toBe(401);
    expect((await apiClient(url, token(['alerts:read'], `catalogue-${run}`))('GET', '/api/v1/event-types')).status).toBe(403);
    const res = await apiClient(url, token(['webhooks:read'], `catalogue-${run}`))('GET', '/api/v1/event-types');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('private, max-age=300');
    const items = (res.body as { items: CatalogueEntry[] }).items;
    expect(items.map((e) => e.type)).toEqual(EVENT_TYPES);

    const docRes = await fetch(`${url}/api/docs/openapi.json`);
    expect(docRes.status).toBe(200);
    const doc = (await docRes.json()) as { openapi: string; webhooks: Record<string, { post: WebhookOperation }> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.webhooks)).toEqual(EVENT_TYPES);
    for (const entry of items) {
      expect(entry.description.length).toBeGreaterThan(0);
      const documented = doc.webhooks[entry.type].post.requestBody.content['application/json'].schema;
      // One source: the two are the same schema, and each is compiled and used below on its own.
      expect([entry.type, documented]).toEqual([entry.type, entry.schema]);
      validators.set(entry.type, [ajv.compile(entry.schema), ajv.compile(documented)]);
    }
    headerParameters = doc.webhooks['alert.created'].post.parameters.filter((p) => p.in === 'header');
    expect(headerParameters.map((p) => p.name)).toEqual(expect.arrayContaining(['webhook-id', 'webhook-timestamp', 'webhook-signature']));
  });

  it('causes every event type for real and the receiver gets them all', async () => {
    expect(webhookId).toBeDefined();
    const alert = await api('POST', '/api/v1/alerts', { title: `catalogue ${run}`, severity: 'high', source: 'catalogue', description: 'd', labels: { run } });
    expect(alert.status).toBe(201);
    const alertId = alert.body.id as string;
    expect((await api('POST', `/api/v1/alerts/${alertId}/acknowledge`, { note: 'looking' })).status).toBe(200);
    expect((await api('POST', `/api/v1/alerts/${alertId}/resolve`)).status).toBe(200);
    // Alertmanager's door: created from a firing notification, resolved (at its endsAt) from a resolved one.
    const labels = { alertname: 'CatalogueCheck', severity: 'warning', run };
    const am = (status: 'firing' | 'resolved') => ({
      version: '4',
      status,
      alerts: [
        {
          status,
          labels,
          annotations: { summary: 'catalogue' },
          startsAt: '2026-11-21T22:00:00.000Z',
          endsAt: status === 'resolved' ? '2026-11-21T22:10:00.000Z' : '0001-01-01T00:00:00Z',
        },
      ],
    });
    expect((await api('POST', '/api/v1/alerts/alertmanager', am('firing'))).status).toBe(200);
    expect((await api('POST', '/api/v1/alerts/alertmanager', am('resolved'))).status).toBe(200);
    expect((await api('POST', `/api/v1/webhooks/${webhookId}/test`)).status).toBe(202);

    const isOurs = (body: Record<string, unknown>) => {
      const data = body.data as { labels?: Record<string, string>; webhook_id?: string } | undefined;
      return data?.labels?.run === run || data?.webhook_id === webhookId;
    };
    const expected = ['alert.created', 'alert.acknowledged', 'alert.resolved', 'alert.created', 'alert.resolved', 'webhook.test'].sort();
    ours = await eventually(
      () => {
        const parsed = receiver.received
          .map((request) => ({ request, body: JSON.parse(request.body) as Record<string, unknown> }))
          .filter((r) => isOurs(r.body));
        // One per delivery: a retry (an attempt that timed out on a loaded machine) repeats its webhook-id.
        const unique = [...new Map(parsed.map((r) => [r.request.headers['webhook-id'], r])).values()];
        return unique.length >= expected.length ? unique : undefined;
      },
      { timeoutMs: 30_000, what: () => `6 deliveries of run ${run} (received ${receiver.received.length} in all)` },
    );
    expect(ours.map((r) => r.body.type).sort()).toEqual(expected);
    expect(new Set(ours.map((r) => r.body.type))).toEqual(new Set(EVENT_TYPES));
  }, 60_000);

  it('every delivered body validates against both schemas of its type, and its headers against the documented ones', () => {
    expect(ours.length).toBeGreaterThan(0);
    // Other suites' deliveries that reached this receiver are real payloads too: they must validate as well.
    const all = receiver.received.map((request) => ({ request, body: JSON.parse(request.body) as Record<string, unknown> }));
    for (const { request, body } of all) {
      const pair = validators.get(String(body.type));
      expect([body.type, pair ? 'catalogued' : 'not in the catalogue']).toEqual([body.type, 'catalogued']);
      for (const [source, validate] of [
        ['endpoint', pair![0]],
        ['openapi', pair![1]],
      ] as const) {
        const ok = validate(body);
        expect([body.type, source, ok ? 'valid' : ajv.errorsText(validate.errors)]).toEqual([body.type, source, 'valid']);
      }
      expect(request.headers['content-type']).toBe('application/json');
      for (const p of headerParameters) {
        const value = request.headers[p.name];
        if (value === undefined) {
          expect([p.name, p.required ? 'missing' : 'optional']).toEqual([p.name, 'optional']);
          continue;
        }
        const ok = ajv.validate(p.schema, value);
        expect([p.name, value, ok ? 'valid' : ajv.errorsText()]).toEqual([p.name, value, 'valid']);
      }
    }
  });

  it('the check can fail: mutated deliveries are rejected by both schemas', () => {
    expect(ours.length).toBeGreaterThan(0);
    for (const { body } of ours) {
      const data = body.data as Record<string, unknown>;
      const dropFirst = Object.fromEntries(Object.entries(data).slice(1));
      const mutants: Array<[string, unknown]> = [
        ['a data field missing', { ...body, data: dropFirst }],
        ['an extra data field', { ...body, data: { ...data, unexpected: true } }],
        ['an extra envelope field', { ...body, extra: 1 }],
        ['the timestamp not a date-time', { ...body, timestamp: 'now' }],
        ['data not an object', { ...body, data: [] }],
      ];
      if (body.type !== 'webhook.test') mutants.push(['the id not a uuid', { ...body, data: { ...data, id: 'alert-1' } }]);
      else mutants.push(['the webhook_id not a uuid', { ...body, data: { ...data, webhook_id: 'w-1' } }]);
      const [fromEndpoint, fromOpenApi] = validators.get(String(body.type))!;
      for (const [name, mutant] of mutants) {
        expect([body.type, name, fromEndpoint(mutant), fromOpenApi(mutant)]).toEqual([body.type, name, false, false]);
      }
      // A body of another type is not valid as this one either.
      const other = EVENT_TYPES.find((t) => t !== body.type)!;
      expect([body.type, 'as another type', fromEndpoint({ ...body, type: other })]).toEqual([body.type, 'as another type', false]);
    }
  });
});
