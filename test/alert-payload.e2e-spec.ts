import fc from 'fast-check';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { e2e } from './support/e2e-env';
import { apiClient, bootApi, migrateTestDatabase, Receiver } from './support/domain';

/**
 * The `alert.created` payload is built in SQL (alert-created-payload.sql.ts): it must stay byte for byte what
 * `JSON.stringify` of the alert's view gives, for any text a client may send. The POST answer of a new alert is that
 * view, so each generated alert's stored payload is compared with it as text.
 */
describe('alert.created payload built in SQL (e2e)', () => {
  let app: NestFastifyApplication;
  let api: ReturnType<typeof apiClient>;
  let receiver: Receiver;
  let db: Client;
  let hookId: string;

  beforeAll(async () => {
    await migrateTestDatabase();
    // Workers off: the deliveries stay in the table, where their payloads are read.
    const booted = await bootApi({ DELIVERY_CONCURRENCY: '0', RATE_LIMIT_ENABLED: '0' });
    app = booted.app;
    api = apiClient(booted.url);
    receiver = await Receiver.start();
    db = new Client({ connectionString: e2e.databaseUrl });
    await db.connect();
    const r = await api('POST', '/api/v1/webhooks', { name: 'payload-text', url: receiver.url });
    expect(r.status).toBe(201);
    hookId = r.body.id;
  });

  afterAll(async () => {
    if (hookId) await api('DELETE', `/api/v1/webhooks/${hookId}`);
    await db?.end();
    await app?.close();
    await receiver?.close();
  });

  const payloadOf = async (alertId: string): Promise<string> => {
    const { rows } = await db.query<{ payload: string }>(
      `SELECT payload FROM deliveries WHERE webhook_id = $1 AND alert_id = $2 AND event_type = 'alert.created'`,
      [hookId, alertId],
    );
    expect(rows).toHaveLength(1);
    return rows[0].payload;
  };

  /** Text that JSON must escape, beyond the plain: quotes, backslashes, every control character, non-BMP, lone surrogates, U+2028. */
  const nasty = fc.oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
    fc.string({
      unit: fc.constantFrom('"', '\\', '\n', '\t', '\u0001', '\u001f', '\u007f', '\u2028', 'é', '😀', '\ud800', '\udfff', '/', '<', "'"),
      minLength: 1,
      maxLength: 20,
    }),
  );
  const text = nasty.filter((s) => !s.includes('\u0000') && s.trim().length > 0);
  // Label and annotation values with a lone surrogate are refused (400: jsonb cannot hold one); text fields take them.
  const wellFormed = (s: string) => (s as string & { isWellFormed(): boolean }).isWellFormed();
  const map = fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_]{0,15}$/), text.map((s) => s.slice(0, 200)).filter(wellFormed), { maxKeys: 4 });

  it('is JSON.stringify of the answered view, for generated titles, sources, descriptions, labels and annotations', async () => {
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          title: text.map((s) => s.slice(0, 500)),
          severity: fc.constantFrom('critical', 'high', 'warning', 'info'),
          source: fc.option(
            text.map((s) => s.slice(0, 200)),
            { nil: undefined },
          ),
          description: fc.option(text, { nil: undefined }),
          labels: map,
          annotations: fc.option(map, { nil: undefined }),
          starts_at: fc.option(
            fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2199-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
            { nil: undefined },
          ),
        }),
        async (body) => {
          const r = await api('POST', '/api/v1/alerts', { ...body, labels: { ...body.labels, run: `${Date.now()}-${compared}-${Math.random()}` } });
          // The generators stay inside the API's rules; anything it refuses would be a generator bug, so it fails.
          expect(r.status).toBe(201);
          const { deduplicated, ...view } = r.body as Record<string, unknown>;
          expect(deduplicated).toBe(false);
          const expected = JSON.stringify({ type: 'alert.created', timestamp: view.created_at, data: view });
          expect(await payloadOf(view.id as string)).toBe(expected);
          compared += 1;
        },
      ),
      { numRuns: 150 },
    );
    expect(compared).toBeGreaterThanOrEqual(150);
  });

  it('an Alertmanager alert: the payload is compact JSON of the stored alert, with its occurrences', async () => {
    const id = `${Date.now()}`;
    const r = await api('POST', '/api/v1/alerts/alertmanager', {
      version: '4',
      status: 'firing',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'PayloadText', id, quote: 'a "b" \\ c' },
          annotations: { summary: 'line\nbreak', description: 'é😀' },
          startsAt: '2026-12-01T10:00:00.123456Z',
        },
      ],
    });
    expect(r.status).toBe(200);
    const { rows } = await db.query<{ id: string }>(`SELECT id FROM alerts WHERE labels->>'id' = $1`, [id]);
    const stored = await api('GET', `/api/v1/alerts/${rows[0].id}`);
    const payload = await payloadOf(rows[0].id);
    // Labels come back from jsonb in its key order, so compare as values, then the text as compact JSON.
    const { deliveries, ...view } = stored.body as Record<string, unknown>;
    expect(Array.isArray(deliveries)).toBe(true);
    expect(JSON.parse(payload)).toEqual({ type: 'alert.created', timestamp: view.created_at, data: view });
    expect(JSON.stringify(JSON.parse(payload))).toBe(payload);
    expect(Object.keys(JSON.parse(payload).data)).toEqual(Object.keys(view));
  });
  it('new alerts and their deliveries get time-ordered ids (UUIDv7: version 7, RFC variant, now in the first 48 bits)', async () => {
    const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const msOf = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    const before = Date.now();
    const created = await Promise.all(
      [1, 2, 3].map((n) => api('POST', '/api/v1/alerts', { title: `v7 ${n}`, severity: 'info', labels: { v7: `${before}-${n}` } })),
    );
    const after = Date.now();
    for (const r of created) {
      expect(r.status).toBe(201);
      const alertId = r.body.id as string;
      expect(alertId).toMatch(V7);
      const { rows } = await db.query<{ id: string }>(`SELECT id FROM deliveries WHERE alert_id = $1`, [alertId]);
      expect(rows).toHaveLength(1);
      for (const id of [alertId, rows[0].id]) {
        expect(id).toMatch(V7);
        expect(msOf(id)).toBeGreaterThanOrEqual(before - 1000);
        expect(msOf(id)).toBeLessThanOrEqual(after + 1000);
      }
    }
  });
});
