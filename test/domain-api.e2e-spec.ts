import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import * as jwt from 'jsonwebtoken';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { TEST_SECRET_KEY } from './support/e2e-env';
import { apiClient, bootApi, eventually, migrateTestDatabase, Receiver, token } from './support/domain';
import { letTimePass } from './support/wait-for';

/** The /api/v1 surface against real PostgreSQL/Redis and real local receivers (issue 5). */
describe('domain API (e2e)', () => {
  let app: NestFastifyApplication;
  let base: string;
  let api: ReturnType<typeof apiClient>;
  const receivers: Receiver[] = [];
  const logLines: string[] = [];
  const origWrite = process.stdout.write.bind(process.stdout);

  beforeAll(async () => {
    await migrateTestDatabase();
    // Capture what the app logs, to prove secrets never reach it.
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      logLines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
      return (origWrite as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write;
    // The bulk Alertmanager test writes 21,250 deliveries from one payload, past the default bound (hostile-inputs
    // tests the bound): it checks the counts at that size.
    ({ app, url: base } = await bootApi({ LOG_LEVEL: 'info', ALERTMANAGER_MAX_DELIVERIES: '100000' }));
    api = apiClient(base);
  });

  afterAll(async () => {
    process.stdout.write = origWrite;
    // Other suites share the run's database: leave no webhooks behind.
    const left = await api('GET', '/api/v1/webhooks?limit=500');
    for (const w of left.body?.items ?? []) await api('DELETE', `/api/v1/webhooks/${w.id}`);
    await app?.close();
    for (const r of receivers) await r.close();
  });

  const newReceiver = async (b?: ConstructorParameters<typeof Receiver>[0]) => {
    const r = await Receiver.start(b);
    receivers.push(r);
    return r;
  };

  describe('auth', () => {
    it('401 without, with malformed, badly signed or expired tokens; 403 without the scope', async () => {
      const anon = apiClient(base, null);
      expect((await anon('GET', '/api/v1/alerts')).status).toBe(401);
      expect((await apiClient(base, 'garbage')('GET', '/api/v1/alerts')).status).toBe(401);
      const forged = jwt.sign({ sub: 'x', scope: 'admin' }, 'another-secret-0123456789-0123456789', { algorithm: 'HS256', expiresIn: 60 });
      expect((await apiClient(base, forged)('GET', '/api/v1/alerts')).status).toBe(401);
      const expired = jwt.sign({ sub: 'x', scope: 'admin', exp: Math.floor(Date.now() / 1000) - 120 }, TEST_SECRET_KEY, { algorithm: 'HS256' });
      const r = await apiClient(base, expired)('GET', '/api/v1/alerts');
      expect(r.status).toBe(401);
      expect(r.body.message).toMatch(/expired/);
      expect(r.headers.get('www-authenticate')).toBe('Bearer');
      const reader = apiClient(base, token(['alerts:read']));
      expect((await reader('GET', '/api/v1/alerts')).status).toBe(200);
      const denied = await reader('POST', '/api/v1/alerts', { title: 't', severity: 'info' });
      expect(denied.status).toBe(403);
      expect(denied.body.message).toMatch(/alerts:write/);
      expect((await reader('GET', '/api/v1/webhooks')).status).toBe(403);
      // A token minted by a plain JWT library with the same secret works.
      const plain = jwt.sign({ sub: 'ext', scope: 'webhooks:read' }, TEST_SECRET_KEY, { algorithm: 'HS256', expiresIn: 60 });
      expect((await apiClient(base, plain)('GET', '/api/v1/webhooks')).status).toBe(200);
    });
  });

  describe('bad input is 4xx with a per-field message, never 500', () => {
    it.each([
      ['missing fields', { severity: 'info' }, 'title'],
      ['unknown enum', { title: 't', severity: 'urgent' }, 'severity'],
      ['wrong types', { title: 42, severity: 'info' }, 'title'],
      ['labels not strings', { title: 't', severity: 'info', labels: { a: 1 } }, 'labels'],
      ['unknown field', { title: 't', severity: 'info', colour: 'red' }, 'colour'],
      ['bad starts_at', { title: 't', severity: 'info', starts_at: 'yesterday' }, 'starts_at'],
    ])('alerts: %s', async (_name, body, field) => {
      const r = await api('POST', '/api/v1/alerts', body);
      expect(r.status).toBe(400);
      expect(Object.keys(r.body.errors)).toContain(field);
    });

    it('webhooks: bad URL scheme, bad headers', async () => {
      for (const url of ['ftp://example.com/x', 'not a url', 'javascript:alert(1)']) {
        const r = await api('POST', '/api/v1/webhooks', { name: 'w', url });
        expect(r.status).toBe(400);
        expect(r.body.errors.url).toBeDefined();
      }
      for (const headers of [
        { Host: 'x' },
        { 'Content-Type': 'text/plain' },
        { Connection: 'close' },
        { 'Transfer-Encoding': 'chunked' },
        { 'bad header': 'x' },
      ]) {
        const r = await api('POST', '/api/v1/webhooks', { name: 'w', url: 'https://example.com', headers });
        expect(r.status).toBe(400);
        expect(r.body.errors.headers).toBeDefined();
      }
    });

    it('invalid JSON → 400, oversized body → 413, unknown id → 404, bad UUID → 400, bad cursor → 400, too many labels → 400', async () => {
      const bad = await api('POST', '/api/v1/alerts', '{"title": "x",');
      expect(bad.status).toBe(400);
      expect(bad.body.statusCode).toBe(400);
      const big = await api('POST', '/api/v1/alerts', { title: 'x', severity: 'info', description: 'y'.repeat(300_000) });
      expect(big.status).toBe(413);
      expect(big.body.statusCode).toBe(413);
      expect((await api('GET', '/api/v1/alerts/00000000-0000-4000-8000-000000000000')).status).toBe(404);
      expect((await api('GET', '/api/v1/webhooks/00000000-0000-4000-8000-000000000000')).status).toBe(404);
      const badId = await api('GET', '/api/v1/alerts/not-a-uuid');
      expect(badId.status).toBe(400);
      expect(badId.body.errors.id).toBeDefined();
      // The correlation id in an error body is the request id the response carries (and the logs use).
      expect(badId.body.request_id).toEqual(expect.any(String));
      expect(badId.headers.get('x-request-id')).toBe(badId.body.request_id);
      const badCursor = await api('GET', '/api/v1/alerts?cursor=zzzz');
      expect(badCursor.status).toBe(400);
      expect(badCursor.body.errors.cursor).toBeDefined();
      const badLimit = await api('GET', '/api/v1/alerts?limit=501');
      expect(badLimit.status).toBe(400);
      expect(badLimit.body.errors.limit).toBeDefined();
      const labels = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']));
      const many = await api('POST', '/api/v1/alerts', { title: 'x', severity: 'info', labels });
      expect(many.status).toBe(400);
      expect(many.body.errors.labels).toBeDefined();
      const text = await api('POST', '/api/v1/alerts', '<alert/>', { 'content-type': 'application/xml' });
      expect(text.status).toBe(415);
    });
  });

  describe('webhooks and fan-out', () => {
    it('CRUD, secret only on create/rotate, fan-out honours event types and min_severity, signatures verify', async () => {
      const all = await newReceiver();
      const createdOnly = await newReceiver();
      const criticalOnly = await newReceiver();
      const mk = async (name: string, r: Receiver, extra: object = {}) => {
        const res = await api('POST', '/api/v1/webhooks', {
          name,
          url: r.url,
          headers: { Authorization: 'Bearer receiver-token-123', 'X-Team': 'ops' },
          ...extra,
        });
        expect(res.status).toBe(201);
        expect(res.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
        return res.body as { id: string; secret: string };
      };
      const wAll = await mk('all', all);
      const wCreated = await mk('created-only', createdOnly, { event_types: ['alert.created'] });
      const wCritical = await mk('critical-only', criticalOnly, { min_severity: 'critical' });

      const got = await api('GET', `/api/v1/webhooks/${wAll.id}`);
      expect(got.status).toBe(200);
      expect(got.body.secret).toBeUndefined();
      expect(got.body.headers).toEqual({ Authorization: '***', 'X-Team': 'ops' });
      const list = await api('GET', '/api/v1/webhooks?limit=2');
      expect(list.body.items).toHaveLength(2);
      expect(list.body.total).toBeGreaterThanOrEqual(3);
      expect(list.body.next_cursor).toEqual(expect.any(String));
      expect(JSON.stringify(list.body)).not.toContain('whsec_');
      const next = await api('GET', `/api/v1/webhooks?limit=2&cursor=${list.body.next_cursor}`);
      expect(next.status).toBe(200);
      expect(next.body.items[0].id).not.toBe(list.body.items[1].id);

      const created = await api('POST', '/api/v1/alerts', { title: 'disk full', severity: 'warning', labels: { host: 'db1', alertname: 'Disk' } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ status: 'firing', fingerprint: expect.any(String), deduplicated: false });
      const alertId = created.body.id as string;
      expect((await api('POST', `/api/v1/alerts/${alertId}/acknowledge`, { note: 'on it' })).status).toBe(200);
      expect((await api('POST', `/api/v1/alerts/${alertId}/resolve`)).status).toBe(200);

      await eventually(() => all.received.length >= 3, 10_000, 'three events at the catch-all webhook');
      await eventually(() => createdOnly.received.length >= 1, 10_000, 'the created event at the filtered webhook');
      // Nothing more may arrive: an extra or duplicate event would show in the exact lists below.
      await letTimePass(500, 'room for an extra or duplicate event to arrive before the exact lists are checked');
      expect(
        all
          .events()
          .map((e) => e.type)
          .sort(),
      ).toEqual(['alert.acknowledged', 'alert.created', 'alert.resolved']);
      expect(createdOnly.events().map((e) => e.type)).toEqual(['alert.created']);
      expect(criticalOnly.received).toHaveLength(0);
      for (const [r, w] of [
        [all, wAll],
        [createdOnly, wCreated],
      ] as const) {
        for (const req of r.received) {
          // The reference implementation verifies every signature.
          const verified = new Webhook(w.secret).verify(req.body, req.headers as Record<string, string>) as {
            type: string;
            timestamp: string;
            data: { id: string };
          };
          expect(verified.data.id).toBe(alertId);
          expect(req.headers['x-team']).toBe('ops');
          expect(req.headers.authorization).toBe('Bearer receiver-token-123');
          expect(req.headers['content-type']).toBe('application/json');
        }
      }
      const crit = await api('POST', '/api/v1/alerts', { title: 'db down', severity: 'critical', source: 'pg' });
      expect(crit.status).toBe(201);
      await eventually(() => criticalOnly.received.length === 1, 10_000, 'the critical webhook');
      new Webhook(wCritical.secret).verify(criticalOnly.received[0].body, criticalOnly.received[0].headers as Record<string, string>);

      const detail = await api('GET', `/api/v1/alerts/${alertId}`);
      expect(detail.body.acknowledged_by).toBe('e2e');
      expect(detail.body.acknowledgement_note).toBe('on it');
      expect(detail.body.deliveries.length).toBeGreaterThanOrEqual(4);
      await eventually(
        async () => (await api('GET', `/api/v1/alerts/${alertId}`)).body.deliveries.every((d: { status: string }) => d.status === 'succeeded'),
        10_000,
        'deliveries succeeded',
      );
      const d = (await api('GET', `/api/v1/deliveries/${detail.body.deliveries[0].id}`)).body;
      expect(d.attempts).toEqual([expect.objectContaining({ attempt: 1, success: true, status_code: 200 })]);
      const perWebhook = await api('GET', `/api/v1/webhooks/${wAll.id}/deliveries`);
      expect(perWebhook.body.items).toHaveLength(4); // created, acknowledged, resolved, and the critical alert
      const filtered = await api('GET', `/api/v1/deliveries?webhook_id=${wCreated.id}&status=succeeded`);
      expect(filtered.body.items).toHaveLength(2); // both alert.created events, nothing else

      // Rotation: the new secret is returned once, and both old and new verify for the overlap.
      const rotated = await api('POST', `/api/v1/webhooks/${wAll.id}/rotate-secret`);
      expect(rotated.status).toBe(200);
      expect(rotated.body.secret).not.toBe(wAll.secret);
      const ping = await api('POST', `/api/v1/webhooks/${wAll.id}/test`);
      expect(ping.status).toBe(202);
      await eventually(() => all.received.length === 5, 10_000, 'the test ping');
      const pingReq = all.received[4];
      expect(JSON.parse(pingReq.body).type).toBe('webhook.test');
      expect(pingReq.headers['webhook-id']).toBe(ping.body.delivery_id);
      new Webhook(rotated.body.secret as string).verify(pingReq.body, pingReq.headers as Record<string, string>);
      new Webhook(wAll.secret).verify(pingReq.body, pingReq.headers as Record<string, string>);

      const patched = await api('PATCH', `/api/v1/webhooks/${wCritical.id}`, { min_severity: null, name: 'renamed' });
      expect(patched.body).toMatchObject({ name: 'renamed', min_severity: null });
      expect((await api('DELETE', `/api/v1/webhooks/${wCritical.id}`)).status).toBe(204);
      expect((await api('GET', `/api/v1/webhooks/${wCritical.id}`)).status).toBe(404);

      // No secret in the logs: webhook secrets, tokens, receiver Authorization headers.
      const logs = logLines.join('');
      expect(logs.length).toBeGreaterThan(0);
      expect(logs).toContain('/api/v1/webhooks'); // request lines were logged, with their headers
      expect(logs).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/); // no bearer token of any kind
      expect(logs).not.toContain('whsec_');
      for (const secret of [wAll.secret, wCreated.secret, rotated.body.secret as string, token(), 'receiver-token-123', TEST_SECRET_KEY]) {
        expect(logs).not.toContain(secret);
      }
    });
  });

  describe('alerts', () => {
    it('dedups a firing fingerprint (200, occurrence counted, no new fan-out), even under concurrency', async () => {
      const body = { title: 'cpu hot', severity: 'high', labels: { host: 'web1', alertname: 'CPU' } };
      const results = await Promise.all(Array.from({ length: 8 }, () => api('POST', '/api/v1/alerts', body)));
      expect(results.filter((r) => r.status === 201)).toHaveLength(1);
      expect(results.filter((r) => r.status === 200)).toHaveLength(7);
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
      const again = await api('POST', '/api/v1/alerts', { ...body, labels: { alertname: 'CPU', host: 'web1' } });
      expect(again.status).toBe(200);
      expect(again.body.occurrences).toBe(9);
      expect(again.body.deduplicated).toBe(true);
      const deliveries = await api('GET', `/api/v1/deliveries?alert_id=${again.body.id}&event_type=alert.created`);
      const webhookCount = (await api('GET', '/api/v1/webhooks?limit=500')).body.items.filter((w: { is_active: boolean }) => w.is_active).length;
      expect(deliveries.body.items.length).toBeLessThanOrEqual(webhookCount);
      // Resolved, the fingerprint fires anew.
      await api('POST', `/api/v1/alerts/${again.body.id}/resolve`);
      const fresh = await api('POST', '/api/v1/alerts', body);
      expect(fresh.status).toBe(201);
      expect(fresh.body.id).not.toBe(again.body.id);
    });

    it('honours Idempotency-Key: same key and body → same response; other body → 422', async () => {
      const body = { title: `idem ${Date.now()}`, severity: 'info' };
      const h = { 'idempotency-key': `key-${Date.now()}` };
      const first = await api('POST', '/api/v1/alerts', body, h);
      expect(first.status).toBe(201);
      const second = await api('POST', '/api/v1/alerts', body, h);
      expect(second.status).toBe(201);
      expect(second.body).toEqual(first.body);
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      const other = await api('POST', '/api/v1/alerts', { ...body, severity: 'high' }, h);
      expect(other.status).toBe(422);
    });

    it('replays an Idempotency-Key repeat whose labels list their keys in another order (was 422)', async () => {
      const h = { 'idempotency-key': `reorder-${Date.now()}` };
      const first = await api('POST', '/api/v1/alerts', { title: `idem order ${Date.now()}`, severity: 'info', labels: { host: 'db1', alertname: 'Disk' } }, h);
      expect(first.status).toBe(201);
      const repeat = await api('POST', '/api/v1/alerts', { labels: { alertname: 'Disk', host: 'db1' }, severity: 'info', title: first.body.title }, h);
      expect(repeat.status).toBe(201);
      expect(repeat.headers.get('idempotent-replayed')).toBe('true');
      expect(repeat.body).toEqual(first.body);
      const changed = await api('POST', '/api/v1/alerts', { title: first.body.title, severity: 'info', labels: { alertname: 'Disk', host: 'db2' } }, h);
      expect(changed.status).toBe(422);
    });

    it('shows an alert the same way in create, get, list, acknowledge and resolve responses', async () => {
      const created = await api('POST', '/api/v1/alerts', { title: `shape ${Date.now()}`, severity: 'high', source: 'e2e', labels: { run: `${Date.now()}` } });
      expect(created.status).toBe(201);
      const { deduplicated, ...alert } = created.body;
      expect(deduplicated).toBe(false);
      expect(Object.keys(alert)).toEqual([
        'id',
        'fingerprint',
        'title',
        'severity',
        'status',
        'source',
        'description',
        'labels',
        'annotations',
        'occurrences',
        'starts_at',
        'resolved_at',
        'acknowledged_at',
        'acknowledged_by',
        'acknowledgement_note',
        'created_at',
        'updated_at',
        'acknowledged',
      ]);
      const { deliveries, ...got } = (await api('GET', `/api/v1/alerts/${alert.id}`)).body;
      expect(Array.isArray(deliveries)).toBe(true);
      expect(got).toEqual(alert);
      const listed = await api('GET', `/api/v1/alerts?since=${encodeURIComponent(alert.created_at)}&severity=high&limit=500`);
      expect(listed.body.items.find((x: { id: string }) => x.id === alert.id)).toEqual(alert);
      const acked = await api('POST', `/api/v1/alerts/${alert.id}/acknowledge`, { note: 'looking' });
      expect(acked.body).toMatchObject({
        ...alert,
        acknowledged: true,
        acknowledged_by: 'e2e',
        acknowledgement_note: 'looking',
        updated_at: expect.any(String),
        acknowledged_at: expect.any(String),
      });
      const resolved = await api('POST', `/api/v1/alerts/${alert.id}/resolve`);
      expect(resolved.body).toMatchObject({ id: alert.id, status: 'resolved', acknowledgement_note: 'looking', resolved_at: expect.any(String) });
      expect((await api('POST', '/api/v1/alerts/00000000-0000-4000-8000-000000000000/acknowledge', {})).status).toBe(404);
      expect((await api('POST', '/api/v1/alerts/00000000-0000-4000-8000-000000000000/resolve')).status).toBe(404);
    });

    it('acknowledge is idempotent; list filters and cursor pagination', async () => {
      // Other suites share the database: paginate over this test's own alerts.
      const since = new Date(Date.now() - 1000).toISOString();
      for (let i = 0; i < 5; i += 1) await api('POST', '/api/v1/alerts', { title: `page ${Date.now()} ${i}`, severity: 'info' });
      const a = await api('POST', '/api/v1/alerts', { title: `ack ${Date.now()}`, severity: 'warning' });
      const first = await api('POST', `/api/v1/alerts/${a.body.id}/acknowledge`, { by: 'alice' });
      expect(first.body.acknowledged_by).toBe('alice');
      const second = await api('POST', `/api/v1/alerts/${a.body.id}/acknowledge`, { by: 'bob' });
      expect(second.status).toBe(200);
      expect(second.body.acknowledged_by).toBe('alice');
      expect(second.body.acknowledged_at).toBe(first.body.acknowledged_at);
      const acked = await api('GET', '/api/v1/alerts?acknowledged=true&limit=500');
      expect(acked.body.items.every((x: { acknowledged: boolean }) => x.acknowledged)).toBe(true);
      const firingWarn = await api('GET', '/api/v1/alerts?status=firing&severity=warning');
      expect(firingWarn.body.items.every((x: { status: string; severity: string }) => x.status === 'firing' && x.severity === 'warning')).toBe(true);
      const seen = new Set<string>();
      let cursor: string | null = null;
      do {
        const page: { body: { items: Array<{ id: string }>; next_cursor: string | null } } = await api(
          'GET',
          `/api/v1/alerts?limit=2&since=${encodeURIComponent(since)}${cursor ? `&cursor=${cursor}` : ''}`,
        );
        for (const item of page.body.items) seen.add(item.id);
        cursor = page.body.next_cursor;
      } while (cursor);
      const everything = await api('GET', `/api/v1/alerts?limit=500&since=${encodeURIComponent(since)}`);
      expect(everything.body.items.length).toBeGreaterThanOrEqual(6);
      expect(seen.size).toBe(everything.body.items.length);
    });

    it('ingests Alertmanager v4 payloads: firing creates/updates, resolved resolves', async () => {
      const labels = { alertname: 'HighLatency', severity: 'page', service: `api-${Date.now()}` };
      const payload = (status: 'firing' | 'resolved') => ({
        version: '4',
        groupKey: '{}:{alertname="HighLatency"}',
        truncatedAlerts: 0,
        status,
        receiver: 'signalgate',
        groupLabels: { alertname: 'HighLatency' },
        commonLabels: labels,
        commonAnnotations: { summary: 'p99 above 1s' },
        externalURL: 'http://alertmanager:9093',
        alerts: [
          {
            status,
            labels,
            annotations: { summary: 'p99 above 1s', description: 'latency is high' },
            startsAt: '2026-11-21T22:00:00.000Z',
            endsAt: status === 'resolved' ? '2026-11-21T22:10:00.000Z' : '0001-01-01T00:00:00Z',
            generatorURL: 'http://prometheus:9090/graph',
            fingerprint: 'c0ffee1234567890',
          },
        ],
      });
      const first = await api('POST', '/api/v1/alerts/alertmanager', payload('firing'));
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ received: 1, created: 1 });
      const repeat = await api('POST', '/api/v1/alerts/alertmanager', payload('firing'));
      expect(repeat.body).toMatchObject({ created: 0, updated: 1 });
      const listed = await api('GET', '/api/v1/alerts?status=firing&limit=500');
      const alert = listed.body.items.find((a: { labels: Record<string, string> }) => a.labels.service === labels.service);
      expect(alert).toMatchObject({ severity: 'critical', title: 'p99 above 1s', source: 'alertmanager', occurrences: 2 });
      const resolved = await api('POST', '/api/v1/alerts/alertmanager', payload('resolved'));
      expect(resolved.body).toMatchObject({ resolved: 1 });
      const after = await api('GET', `/api/v1/alerts/${alert.id}`);
      expect(after.body.status).toBe('resolved');
      expect(after.body.resolved_at).toBe('2026-11-21T22:10:00.000Z');
      const wrongVersion = await api('POST', '/api/v1/alerts/alertmanager', { ...payload('firing'), version: '3' });
      expect(wrongVersion.status).toBe(400);
      expect(wrongVersion.body.errors.version).toBeDefined();
      const badAlert = await api('POST', '/api/v1/alerts/alertmanager', { ...payload('firing'), alerts: [{ status: 'maybe', labels: {} }] });
      expect(badAlert.status).toBe(400);
      expect(badAlert.body.errors['alerts.0.status']).toBeDefined();
    });
  });

  describe('Alertmanager batches', () => {
    // Deliveries are counted per webhook in the database: other tests' webhooks share the run.
    const db = () => app.get(DataSource);
    const am = (alerts: object[]) => ({
      version: '4',
      status: 'firing',
      receiver: 'signalgate',
      groupLabels: {},
      commonLabels: {},
      commonAnnotations: {},
      externalURL: 'http://alertmanager:9093',
      alerts,
    });
    const sameLabels = (a: Record<string, string>, b: Record<string, string>) =>
      Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);
    const storedAlert = async (labels: Record<string, string>, status = 'firing') =>
      (await api('GET', `/api/v1/alerts?status=${status}&limit=500`)).body.items.find((a: { labels: Record<string, string> }) => sameLabels(a.labels, labels));
    const deliveriesOf = async (webhookId: string, alertId: string) =>
      (await db().query(`SELECT event_type, payload FROM deliveries WHERE webhook_id = $1 AND alert_id = $2 ORDER BY created_at, event_type`, [
        webhookId,
        alertId,
      ])) as Array<{ event_type: string; payload: string }>;
    const eventData = (d: { payload: string }) => (JSON.parse(d.payload) as { data: object }).data;
    const withoutDeliveries = ({ deliveries: _, ...view }: { deliveries: unknown }) => view;
    let hook: { id: string };

    beforeAll(async () => {
      const r = await newReceiver();
      hook = (await api('POST', '/api/v1/webhooks', { name: 'am-batches', url: r.url })).body;
    });

    afterAll(async () => {
      await api('DELETE', `/api/v1/webhooks/${hook.id}`);
    });

    it('repeated fingerprints in one payload: one alert each, the last content wins, every repeat counts an occurrence', async () => {
      const labels = { alertname: 'Dup', run: `dup-${Date.now()}` };
      const other = { ...labels, instance: 'b' };
      const payload = am([
        { status: 'firing', labels, annotations: { summary: 'first', description: 'one' }, startsAt: '2026-11-21T22:00:00.000Z' },
        { status: 'firing', labels: other, annotations: { summary: 'other' } },
        { status: 'firing', labels, annotations: { summary: 'second' }, startsAt: '2026-11-21T23:00:00.000Z' },
        { status: 'firing', labels, annotations: { summary: 'third', description: 'three' } },
      ]);
      const first = await api('POST', '/api/v1/alerts/alertmanager', payload);
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ received: 4, created: 2, updated: 2, resolved: 0, ignored: 0 });
      const dup = await storedAlert(labels);
      expect(dup).toMatchObject({
        title: 'third',
        description: 'three',
        annotations: { summary: 'third', description: 'three' },
        occurrences: 3,
        starts_at: '2026-11-21T22:00:00.000Z',
      });
      expect((await storedAlert(other)).occurrences).toBe(1);
      // One alert.created for the collapsed alert, its payload the stored row.
      const created = await deliveriesOf(hook.id, dup.id);
      expect(created.map((d) => d.event_type)).toEqual(['alert.created']);
      expect(eventData(created[0])).toEqual(withoutDeliveries((await api('GET', `/api/v1/alerts/${dup.id}`)).body));

      const again = await api('POST', '/api/v1/alerts/alertmanager', payload);
      expect(again.body).toEqual({ received: 4, created: 0, updated: 4, resolved: 0, ignored: 0 });
      expect(await storedAlert(labels)).toMatchObject({ id: dup.id, occurrences: 6, title: 'third' });
      expect(await deliveriesOf(hook.id, dup.id)).toHaveLength(1);
    });

    it('a mixed payload applies its entries in order: resolve, create, ignore, fire again', async () => {
      const run = `mixed-${Date.now()}`;
      const x = { alertname: 'Mixed', run, name: 'x' };
      const y = { alertname: 'Mixed', run, name: 'y' };
      const z = { alertname: 'Mixed', run, name: 'z' };
      expect((await api('POST', '/api/v1/alerts/alertmanager', am([{ status: 'firing', labels: x }]))).body).toMatchObject({ created: 1 });
      const oldX = await storedAlert(x);
      const r = await api(
        'POST',
        '/api/v1/alerts/alertmanager',
        am([
          { status: 'resolved', labels: x, endsAt: '2026-11-21T22:10:00.000Z' },
          { status: 'firing', labels: y },
          { status: 'resolved', labels: z },
          { status: 'firing', labels: x, annotations: { summary: 'back' } },
          { status: 'resolved', labels: z },
          { status: 'resolved', labels: y, endsAt: '0001-01-01T00:00:00Z' },
        ]),
      );
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ received: 6, created: 2, updated: 0, resolved: 2, ignored: 2 });
      const resolvedX = (await api('GET', `/api/v1/alerts/${oldX.id}`)).body;
      expect(resolvedX).toMatchObject({ status: 'resolved', resolved_at: '2026-11-21T22:10:00.000Z', occurrences: 1 });
      const newX = await storedAlert(x);
      expect(newX).toMatchObject({ title: 'back', occurrences: 1 });
      expect(newX.id).not.toBe(oldX.id);
      const resolvedY = await storedAlert(y, 'resolved');
      expect(resolvedY.resolved_at).toEqual(expect.any(String));
      expect(await storedAlert(z, 'resolved')).toBeUndefined();
      // Each transition fanned out once, its payload the row as it was then stored.
      const oldXEvents = await deliveriesOf(hook.id, oldX.id);
      expect(oldXEvents.map((d) => d.event_type)).toEqual(['alert.created', 'alert.resolved']);
      expect(eventData(oldXEvents[1])).toEqual(withoutDeliveries(resolvedX));
      expect((await deliveriesOf(hook.id, newX.id)).map((d) => d.event_type)).toEqual(['alert.created']);
      expect((await deliveriesOf(hook.id, resolvedY.id)).map((d) => d.event_type).sort()).toEqual(['alert.created', 'alert.resolved']);
    });

    it('1000 alerts against 40 subscribed webhooks: every row and every delivery written, counts exact', async () => {
      const receiver = await newReceiver();
      const run = `bulk-${Date.now()}`;
      const mk = async (i: number, extra: object) =>
        (await api('POST', '/api/v1/webhooks', { name: `bulk-${i}`, url: receiver.url, ...extra })).body.id as string;
      const all: string[] = [];
      const critical: string[] = [];
      const resolvedOnly: string[] = [];
      for (let i = 0; i < 20; i++) all.push(await mk(i, {}));
      for (let i = 20; i < 30; i++) critical.push(await mk(i, { min_severity: 'critical' }));
      for (let i = 30; i < 40; i++) resolvedOnly.push(await mk(i, { event_types: ['alert.resolved'] }));
      const ids = [...all, ...critical, ...resolvedOnly];
      try {
        const labels = (i: number) => ({ alertname: 'Bulk', run, i: String(i), ...(i % 4 === 0 ? { severity: 'critical' } : {}) });
        // 200 firing first; then 1000: resolve 100 of them, repeat 100, and 800 new ones (200 of them critical).
        const setup = await api(
          'POST',
          '/api/v1/alerts/alertmanager',
          am(Array.from({ length: 200 }, (_, i) => ({ status: 'firing', labels: labels(i + 1000) }))),
        );
        expect(setup.body).toEqual({ received: 200, created: 200, updated: 0, resolved: 0, ignored: 0 });
        const alerts = Array.from({ length: 1000 }, (_, i) =>
          i < 100
            ? { status: 'resolved', labels: labels(i + 1000) }
            : i < 200
              ? { status: 'firing', labels: labels(i + 1000) }
              : { status: 'firing', labels: labels(i + 1) },
        );
        const r = await api('POST', '/api/v1/alerts/alertmanager', am(alerts));
        expect(r.status).toBe(200);
        expect(r.body).toEqual({ received: 1000, created: 800, updated: 100, resolved: 100, ignored: 0 });

        const rows = (await db().query(
          `SELECT status, severity, occurrences, count(*)::int AS n FROM alerts WHERE labels->>'run' = $1 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
          [run],
        )) as object[];
        // labels(1000..1199): i % 4 === 0 is critical; labels(201..1000) likewise (the 1000 of the new ones is critical too).
        expect(rows).toEqual([
          { status: 'firing', severity: 'critical', occurrences: 1, n: 200 },
          { status: 'firing', severity: 'critical', occurrences: 2, n: 25 },
          { status: 'firing', severity: 'warning', occurrences: 1, n: 600 },
          { status: 'firing', severity: 'warning', occurrences: 2, n: 75 },
          { status: 'resolved', severity: 'critical', occurrences: 1, n: 25 },
          { status: 'resolved', severity: 'warning', occurrences: 1, n: 75 },
        ]);
        const per = (await db().query(
          `SELECT d.event_type, w.name LIKE 'bulk-%' AS bulk, count(*)::int AS n FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
           WHERE d.webhook_id = ANY ($1::uuid[]) GROUP BY 1, 2 ORDER BY 1`,
          [ids],
        )) as Array<{ event_type: string; n: number }>;
        // created: 1000 new alerts × 20 catch-all webhooks + 250 critical ones × 10 critical-only webhooks;
        // resolved: 100 alerts × (20 catch-all + 10 resolved-only) + their 25 critical ones × 10 critical-only.
        expect(per.map(({ event_type, n }) => [event_type, n])).toEqual([
          ['alert.created', 1000 * 20 + 250 * 10],
          ['alert.resolved', 100 * 30 + 25 * 10],
        ]);
        // Per webhook: every matching alert exactly once.
        const perHook = (await db().query(
          `SELECT webhook_id, count(*)::int AS n, count(DISTINCT (alert_id, event_type))::int AS distinct FROM deliveries WHERE webhook_id = ANY ($1::uuid[]) GROUP BY 1`,
          [ids],
        )) as Array<{ webhook_id: string; n: number; distinct: number }>;
        const expected = (id: string) => (all.includes(id) ? 1100 : critical.includes(id) ? 275 : 100);
        expect(perHook).toHaveLength(40);
        for (const h of perHook) expect([h.n, h.distinct]).toEqual([expected(h.webhook_id), expected(h.webhook_id)]);
        // A sample event is the stored row.
        const [sample] = (await db().query(
          `SELECT d.payload, d.alert_id FROM deliveries d JOIN alerts a ON a.id = d.alert_id WHERE d.webhook_id = $1 AND a.labels->>'i' = '500' AND a.labels->>'run' = $2`,
          [all[0], run],
        )) as Array<{ payload: string; alert_id: string }>;
        expect(JSON.parse(sample.payload)).toMatchObject({
          type: 'alert.created',
          data: withoutDeliveries((await api('GET', `/api/v1/alerts/${sample.alert_id}`)).body),
        });
      } finally {
        // 25,000 deliveries to a local receiver: drop them with their webhooks.
        for (const id of ids) await api('DELETE', `/api/v1/webhooks/${id}`);
      }
    });
  });
});
