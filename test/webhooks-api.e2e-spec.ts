import { createServer } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApi } from '../apps/api/src/run-api';
import { apiClient, bootApi, domainRawEnv, eventually, migrateTestDatabase, Receiver } from './support/domain';
import { envFrom } from './support/e2e-env';

/** Webhooks and deliveries API details (issues 14 and 16), against real PostgreSQL/Redis and real receivers. */
describe('webhooks and deliveries API (e2e)', () => {
  let app: NestFastifyApplication;
  let api: ReturnType<typeof apiClient>;
  const receivers: Receiver[] = [];
  const webhookIds: string[] = [];

  beforeAll(async () => {
    await migrateTestDatabase();
    // One attempt per delivery: a failure is final at once.
    const booted = await bootApi({ WEBHOOK_RETRY_SCHEDULE: '0' });
    app = booted.app;
    api = apiClient(booted.url);
  });

  afterAll(async () => {
    // Other suites share the run's database: leave no webhooks behind.
    for (const id of webhookIds) await api('DELETE', `/api/v1/webhooks/${id}`);
    await app?.close();
    for (const r of receivers) await r.close();
  });

  const newReceiver = async (behaviour?: ConstructorParameters<typeof Receiver>[0]) => {
    const r = await Receiver.start(behaviour);
    receivers.push(r);
    return r;
  };
  const newWebhook = async (body: Record<string, unknown>) => {
    const w = await api('POST', '/api/v1/webhooks', body);
    expect(w.status).toBe(201);
    webhookIds.push(w.body.id);
    return w.body as { id: string; secret: string };
  };
  const finished = (id: string) =>
    eventually(
      async () => {
        const d = await api('GET', `/api/v1/deliveries/${id}`);
        return ['succeeded', 'failed'].includes(d.body.status) ? d.body : undefined;
      },
      15_000,
      `delivery ${id} to finish`,
    );

  it('pages through deliveries created by one statement (same created_at) and sees every row exactly once', async () => {
    const receiver = await newReceiver();
    const tag = `keyset-${Date.now()}`;
    for (let i = 0; i < 5; i += 1) await newWebhook({ name: `${tag}-${i}`, url: receiver.url, event_types: ['alert.created'] });
    // One alert fans out to every subscribed webhook in one INSERT: the rows share created_at = now() to the microsecond.
    const alert = await api('POST', '/api/v1/alerts', { title: tag, severity: 'info', labels: { tag } });
    expect(alert.status).toBe(201);
    const all = (await api('GET', `/api/v1/alerts/${alert.body.id}`)).body.deliveries as Array<{ id: string; created_at: string }>;
    expect(all.length).toBeGreaterThanOrEqual(5);
    expect(new Set(all.map((d) => d.created_at)).size).toBe(1);

    for (const limit of [1, 2, 3]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { status: number; body: { items: Array<{ id: string }>; next_cursor: string | null } } = await api(
          'GET',
          `/api/v1/deliveries?alert_id=${alert.body.id}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(page.status).toBe(200);
        seen.push(...page.body.items.map((d) => d.id));
        cursor = page.body.next_cursor;
      } while (cursor && seen.length <= all.length);
      expect(seen).toHaveLength(all.length);
      expect(new Set(seen)).toEqual(new Set(all.map((d) => d.id)));
    }
    // The per-webhook and unfiltered lists go through the same pagination: page 2 continues where page 1 ended.
    const first = await api('GET', '/api/v1/deliveries?limit=2');
    const second = await api('GET', `/api/v1/deliveries?limit=2&cursor=${first.body.next_cursor}`);
    const both = [...first.body.items, ...second.body.items].map((d: { id: string }) => d.id);
    expect(new Set(both).size).toBe(4);
    expect(both).toEqual((await api('GET', '/api/v1/deliveries?limit=4')).body.items.map((d: { id: string }) => d.id));
  });

  it('PATCH with null for a required field is a 400 naming the field, and changes nothing; null clears description and min_severity', async () => {
    const receiver = await newReceiver();
    const w = await newWebhook({
      name: 'nulls',
      url: receiver.url,
      description: 'about',
      min_severity: 'high',
      event_types: ['alert.resolved'],
      headers: { 'X-Team': 'ops' },
    });
    const before = (await api('GET', `/api/v1/webhooks/${w.id}`)).body;
    for (const field of ['name', 'url', 'event_types', 'headers', 'is_active']) {
      const r = await api('PATCH', `/api/v1/webhooks/${w.id}`, { [field]: null });
      expect(r.status).toBe(400);
      expect(Object.keys(r.body.errors)).toEqual([field]);
      expect(r.body.errors[field]).toContain('must not be null');
    }
    expect((await api('GET', `/api/v1/webhooks/${w.id}`)).body).toEqual(before);
    const cleared = await api('PATCH', `/api/v1/webhooks/${w.id}`, { description: null, min_severity: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ name: 'nulls', description: null, min_severity: null, event_types: ['alert.resolved'], headers: { 'X-Team': 'ops' } });
    const empty = await api('PATCH', `/api/v1/webhooks/${w.id}`, {});
    expect(empty.status).toBe(200);
    expect(empty.body.secret).toBeUndefined();
    expect(Date.parse(empty.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(cleared.body.updated_at));
    expect((await api('PATCH', '/api/v1/webhooks/00000000-0000-4000-8000-000000000000', { name: 'x' })).status).toBe(404);
  });

  it('a header value HTTP cannot carry is a 400 naming the header, on create and PATCH; a Latin-1 value is delivered as sent', async () => {
    const receiver = await newReceiver();
    // Each was a 201 whose every delivery then failed in 0 ms ("Invalid character in header content").
    const unsendable: Record<string, string> = {
      emoji: '🔥',
      'C0 control': 'a\u001bb',
      DEL: 'a\u007fb',
      'C1 control': 'a\u0085b',
      'zero-width space': 'a\u200bb',
      'bidi override': '\u202etxt',
      'byte order mark': '\ufeffx',
      noncharacter: 'a\uffffb',
    };
    const good = await newWebhook({ name: 'headers', url: receiver.url, event_types: ['webhook.test'], headers: { 'X-Team': 'ops' } });
    const before = (await api('GET', `/api/v1/webhooks/${good.id}`)).body;
    const { total } = (await api('GET', '/api/v1/webhooks?limit=1')).body;
    for (const [label, value] of Object.entries(unsendable)) {
      for (const [method, path, body] of [
        ['POST', '/api/v1/webhooks', { name: 'bad', url: receiver.url, headers: { 'X-Ok': 'fine', 'X-Custom': value } }],
        ['PATCH', `/api/v1/webhooks/${good.id}`, { headers: { 'X-Ok': 'fine', 'X-Custom': value } }],
      ] as const) {
        const r = await api(method, path, body);
        expect([label, method, r.status]).toEqual([label, method, 400]);
        expect(Object.keys(r.body.errors)).toEqual(['headers']);
        expect(r.body.errors.headers.join(' ')).toMatch(/"X-Custom" value contains a .*U\+[0-9A-F]{4}/);
      }
    }
    expect((await api('GET', '/api/v1/webhooks?limit=1')).body.total).toBe(total);
    expect((await api('GET', `/api/v1/webhooks/${good.id}`)).body).toEqual(before);

    const latin1 = 'Zürich café\tñ';
    const patched = await api('PATCH', `/api/v1/webhooks/${good.id}`, { headers: { 'X-Team': 'ops', 'X-Site': latin1 } });
    expect(patched.status).toBe(200);
    const ping = await api('POST', `/api/v1/webhooks/${good.id}/test`);
    expect(ping.status).toBe(202);
    expect((await finished(ping.body.delivery_id)).status).toBe('succeeded');
    expect(receiver.received.at(-1)?.headers).toMatchObject({ 'x-team': 'ops', 'x-site': latin1 });
  });

  it('disabling through PATCH records why and when once; re-enabling clears both; no response carries a secret', async () => {
    const receiver = await newReceiver();
    const w = await newWebhook({ name: 'toggle', url: receiver.url });
    const off = await api('PATCH', `/api/v1/webhooks/${w.id}`, { is_active: false });
    expect(off.body).toMatchObject({ is_active: false, disabled_reason: 'disabled through the API', disabled_at: expect.any(String) });
    const again = await api('PATCH', `/api/v1/webhooks/${w.id}`, { is_active: false, name: 'toggle-2' });
    expect(again.body).toMatchObject({ name: 'toggle-2', disabled_at: off.body.disabled_at, disabled_reason: 'disabled through the API' });
    const on = await api('PATCH', `/api/v1/webhooks/${w.id}`, { is_active: true });
    expect(on.body).toMatchObject({ is_active: true, disabled_reason: null, disabled_at: null });
    const rotated = await api('POST', `/api/v1/webhooks/${w.id}/rotate-secret`);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.previous_secret).toBeUndefined();
    expect(Date.parse(rotated.body.previous_secret_expires_at) - Date.now()).toBeGreaterThan(23 * 3600_000);
    for (const body of [
      off.body,
      again.body,
      on.body,
      (await api('GET', `/api/v1/webhooks/${w.id}`)).body,
      (await api('GET', '/api/v1/webhooks?limit=500')).body,
    ]) {
      expect(JSON.stringify(body)).not.toContain('whsec_');
    }
    expect((await api('POST', '/api/v1/webhooks/00000000-0000-4000-8000-000000000000/rotate-secret')).status).toBe(404);
    expect((await api('POST', '/api/v1/webhooks/00000000-0000-4000-8000-000000000000/test')).status).toBe(404);
    expect((await api('GET', '/api/v1/webhooks/00000000-0000-4000-8000-000000000000/deliveries')).status).toBe(404);
  });

  it('retrying a delivery of a disabled webhook is a 409, like the test ping; once re-enabled the retry goes out', async () => {
    const receiver = await newReceiver(() => ({ status: 410 }));
    const w = await newWebhook({ name: 'gone', url: receiver.url, event_types: ['webhook.test'] });
    const ping = await api('POST', `/api/v1/webhooks/${w.id}/test`);
    expect(ping.status).toBe(202);
    const failed = await finished(ping.body.delivery_id);
    expect(failed.status).toBe('failed');
    expect((await api('GET', `/api/v1/webhooks/${w.id}`)).body.is_active).toBe(false);

    const refusedPing = await api('POST', `/api/v1/webhooks/${w.id}/test`);
    const refusedRetry = await api('POST', `/api/v1/deliveries/${failed.id}/retry`);
    expect(refusedRetry.status).toBe(409);
    expect(refusedRetry.body.message).toBe(refusedPing.body.message);
    expect(refusedRetry.body.message).toMatch(/webhook is disabled/);
    // Nothing was queued.
    expect((await api('GET', `/api/v1/deliveries/${failed.id}`)).body).toMatchObject({ status: 'failed', attempts: [expect.anything()] });

    receiver.behaviour = () => ({ status: 200 });
    expect((await api('PATCH', `/api/v1/webhooks/${w.id}`, { is_active: true })).status).toBe(200);
    const retried = await api('POST', `/api/v1/deliveries/${failed.id}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ id: failed.id, status: 'pending', completed_at: null });
    const done = await finished(failed.id);
    expect(done.status).toBe('succeeded');
    expect(done.attempts.map((a: { attempt: number; success: boolean }) => [a.attempt, a.success])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(receiver.received).toHaveLength(2);
  });
});

describe('webhooks and deliveries API without a database (e2e)', () => {
  let app: NestFastifyApplication;
  let api: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    // A port nothing listens on: the background connector never gets a connection.
    const port = await new Promise<number>((ok) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => ok(p));
      });
    });
    app = await createApi(envFrom(domainRawEnv()), `postgresql://postgres@127.0.0.1:${port}/nowhere`);
    await app.listen({ port: 0, host: '127.0.0.1' });
    api = apiClient(`http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('answers 503, never 500, on every webhooks and deliveries route', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    const calls: Array<[string, string, unknown?]> = [
      ['GET', '/api/v1/webhooks'],
      ['POST', '/api/v1/webhooks', { name: 'w', url: 'https://example.com/hook' }],
      ['GET', '/api/v1/webhooks/health'],
      ['GET', '/api/v1/webhooks/degraded'],
      ['GET', `/api/v1/webhooks/${id}`],
      ['PATCH', `/api/v1/webhooks/${id}`, { name: 'x' }],
      ['DELETE', `/api/v1/webhooks/${id}`],
      ['POST', `/api/v1/webhooks/${id}/rotate-secret`],
      ['POST', `/api/v1/webhooks/${id}/test`],
      ['GET', `/api/v1/webhooks/${id}/deliveries`],
      ['GET', '/api/v1/deliveries'],
      ['GET', `/api/v1/deliveries/${id}`],
      ['POST', `/api/v1/deliveries/${id}/retry`],
    ];
    for (const [method, path, body] of calls) {
      const r = await api(method, path, body);
      expect([method, path, r.status]).toEqual([method, path, 503]);
    }
  });
});
