import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Pool } from 'pg';
import { Webhook } from 'standardwebhooks';
import { DeliveryQueue } from '@app/delivery';
import { DataSource } from 'typeorm';
import { apiClient, bootApi, eventually, migrateTestDatabase, Receiver } from './support/domain';
import { e2e } from './support/e2e-env';

/** Retries, 410, timeouts, SSRF refusal, manual retry and webhook health, against real receivers (issue 5). */
describe('delivery queue (e2e)', () => {
  let app: NestFastifyApplication;
  let api: ReturnType<typeof apiClient>;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    await migrateTestDatabase();
    // Timeout 500 ms; four attempts 0/50/100/150 ms apart.
    const booted = await bootApi({ WEBHOOK_TIMEOUT_MS: '500', WEBHOOK_RETRY_SCHEDULE: '0,50ms,100ms,150ms', DELIVERY_LEASE_MS: '3000' });
    app = booted.app;
    api = apiClient(booted.url);
  });

  afterAll(async () => {
    // Other suites share the run's database: leave no webhooks behind.
    for (const w of webhookIds) await api('DELETE', `/api/v1/webhooks/${w}`);
    await app?.close();
    for (const r of receivers) await r.close();
  });
  const webhookIds: string[] = [];

  const setup = async (behaviour: ConstructorParameters<typeof Receiver>[0], url?: (r: Receiver) => string) => {
    const r = await Receiver.start(behaviour);
    receivers.push(r);
    const w = await api('POST', '/api/v1/webhooks', { name: `w${receivers.length}`, url: url ? url(r) : r.url, event_types: ['webhook.test'] });
    expect(w.status).toBe(201);
    webhookIds.push(w.body.id);
    return { receiver: r, webhook: w.body as { id: string; secret: string } };
  };
  const ping = async (id: string) => {
    const r = await api('POST', `/api/v1/webhooks/${id}/test`);
    expect(r.status).toBe(202);
    return r.body.delivery_id as string;
  };
  const finalDelivery = (id: string) =>
    eventually(
      async () => {
        const d = await api('GET', `/api/v1/deliveries/${id}`);
        return ['succeeded', 'failed'].includes(d.body.status) ? d.body : undefined;
      },
      15_000,
      `delivery ${id} to finish`,
    );

  it('retries a receiver that fails twice, then succeeds; the webhook-id is stable and every signature verifies', async () => {
    const { receiver, webhook } = await setup((_req, i) => ({ status: i < 2 ? 503 : 200 }));
    const id = await ping(webhook.id);
    const d = await finalDelivery(id);
    expect(d.status).toBe('succeeded');
    expect(d.attempts.map((a: { status_code: number; success: boolean }) => [a.status_code, a.success])).toEqual([
      [503, false],
      [503, false],
      [200, true],
    ]);
    expect(d.attempts[0].response_body).toBe('status 503');
    expect(receiver.received).toHaveLength(3);
    for (const req of receiver.received) {
      expect(req.headers['webhook-id']).toBe(id);
      new Webhook(webhook.secret).verify(req.body, req.headers as Record<string, string>);
    }
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
  });

  it('a 410 disables the webhook and fails the delivery without retrying; PATCH re-enables it', async () => {
    const { receiver, webhook } = await setup(() => ({ status: 410 }));
    const d = await finalDelivery(await ping(webhook.id));
    expect(d.status).toBe('failed');
    expect(d.attempts).toHaveLength(1);
    expect(receiver.received).toHaveLength(1);
    const w = await api('GET', `/api/v1/webhooks/${webhook.id}`);
    expect(w.body).toMatchObject({ is_active: false, disabled_reason: expect.stringMatching(/410/) });
    const health = await api('GET', '/api/v1/webhooks/health');
    expect(health.body.find((h: { webhook_id: string }) => h.webhook_id === webhook.id)).toMatchObject({ state: 'disabled' });
    expect((await api('POST', `/api/v1/webhooks/${webhook.id}/test`)).status).toBe(409);
    receiver.behaviour = () => ({ status: 204 });
    const enabled = await api('PATCH', `/api/v1/webhooks/${webhook.id}`, { is_active: true });
    expect(enabled.body).toMatchObject({ is_active: true, disabled_reason: null });
    expect((await finalDelivery(await ping(webhook.id))).status).toBe('succeeded');
  });

  it('a receiver hanging past WEBHOOK_TIMEOUT_MS fails each attempt within the bound, then the delivery fails; health degrades', async () => {
    const { webhook } = await setup(() => ({ status: 200, hang: true }));
    const started = Date.now();
    const d = await finalDelivery(await ping(webhook.id));
    expect(d.status).toBe('failed');
    expect(d.attempts).toHaveLength(4);
    for (const a of d.attempts) {
      expect(a.error).toMatch(/timed out after 500 ms/);
      expect(a.duration_ms).toBeLessThan(2000);
    }
    expect(Date.now() - started).toBeLessThan(12_000);
    const degraded = await api('GET', '/api/v1/webhooks/degraded');
    expect(degraded.body.find((h: { webhook_id: string }) => h.webhook_id === webhook.id)).toMatchObject({
      state: 'degraded',
      consecutive_failures: 4,
      success_rate: 0,
    });
    // Manual retry puts it back with a fresh run of the schedule; attempt numbers keep counting.
    const retried = await api('POST', `/api/v1/deliveries/${d.id}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.body.status).toBe('pending');
    expect((await api('POST', `/api/v1/deliveries/${d.id}/retry`)).status).toBe(409);
    const again = await finalDelivery(d.id);
    expect(again.status).toBe('failed');
    expect(again.attempts.map((a: { attempt: number }) => a.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect((await api('POST', '/api/v1/deliveries/00000000-0000-4000-8000-000000000000/retry')).status).toBe(404);
  });

  it('a healthy webhook reports its success rate and latency', async () => {
    const { webhook } = await setup(() => ({ status: 200, delayMs: 20 }));
    await finalDelivery(await ping(webhook.id));
    const health = await api('GET', '/api/v1/webhooks/health');
    const h = health.body.find((x: { webhook_id: string }) => x.webhook_id === webhook.id);
    expect(h).toMatchObject({ state: 'healthy', success_rate: 1, consecutive_failures: 0, attempts: 1 });
    expect(h.p95_latency_ms).toBeGreaterThanOrEqual(15);
  });
});

describe('SSRF policy in strict mode (e2e)', () => {
  let app: NestFastifyApplication;
  let receiver: Receiver;

  beforeAll(async () => {
    await migrateTestDatabase();
    receiver = await Receiver.start();
    // No WEBHOOK_ALLOWED_CIDRS: loopback is refused, whether given as a literal or resolved from a name.
    ({ app } = await bootApi({ WEBHOOK_ALLOWED_CIDRS: undefined, WEBHOOK_RETRY_SCHEDULE: '0', DELIVERY_LEASE_MS: '3000' }));
  });

  afterAll(async () => {
    await app?.close();
    await receiver?.close();
  });

  const client = () => apiClient(`http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`);

  /** Pings the webhook and expects the delivery to fail with the refusal, the receiver never reached. */
  async function expectRefusedDelivery(api: ReturnType<typeof apiClient>, webhookId: string): Promise<void> {
    const ping = await api('POST', `/api/v1/webhooks/${webhookId}/test`);
    const d = await eventually(
      async () => {
        const r = await api('GET', `/api/v1/deliveries/${ping.body.delivery_id}`);
        return r.body.status === 'failed' ? r.body : undefined;
      },
      10_000,
      'the refused delivery to fail',
    );
    expect(d.attempts[0].error).toMatch(/refused to connect/);
    expect(receiver.received).toHaveLength(0);
  }

  it.each([
    ['an IPv4 literal', (p: number) => `http://127.0.0.1:${p}/hook`, 'loopback'],
    ['an IPv4-mapped IPv6 literal', (p: number) => `http://[::ffff:127.0.0.1]:${p}/hook`, 'ipv4Mapped'],
    ['an IPv4-compatible IPv6 literal', (p: number) => `http://[::127.0.0.1]:${p}/hook`, 'ipv4Compatible'],
  ])('refuses %s at create and PATCH with a 400 naming the rule', async (_what, url, rule) => {
    const api = client();
    const created = await api('POST', '/api/v1/webhooks', { name: 'internal', url: url(receiver.port), event_types: ['webhook.test'] });
    expect(created.status).toBe(400);
    expect(created.body.errors.url.join(' ')).toContain(rule);

    const w = await api('POST', '/api/v1/webhooks', { name: 'by-name', url: `http://localhost:${receiver.port}/hook` });
    expect(w.status).toBe(201);
    const patched = await api('PATCH', `/api/v1/webhooks/${w.body.id}`, { url: url(receiver.port) });
    expect(patched.status).toBe(400);
    expect(patched.body.errors.url.join(' ')).toContain(rule);
    expect((await api('GET', `/api/v1/webhooks/${w.body.id}`)).body.url).toBe(`http://localhost:${receiver.port}/hook`);
    expect((await api('DELETE', `/api/v1/webhooks/${w.body.id}`)).status).toBe(204);
  });

  it('accepts a name resolving to loopback, and refuses it at delivery without connecting', async () => {
    const api = client();
    const w = await api('POST', '/api/v1/webhooks', { name: 'internal', url: `http://localhost:${receiver.port}/hook`, event_types: ['webhook.test'] });
    expect(w.status).toBe(201);
    await expectRefusedDelivery(api, w.body.id);
    expect((await api('DELETE', `/api/v1/webhooks/${w.body.id}`)).status).toBe(204);
  });

  it('still refuses a literal stored before the rules tightened (e.g. WEBHOOK_ALLOWED_CIDRS narrowed) at delivery', async () => {
    const api = client();
    const w = await api('POST', '/api/v1/webhooks', { name: 'legacy', url: `http://localhost:${receiver.port}/hook`, event_types: ['webhook.test'] });
    expect(w.status).toBe(201);
    await app.get(DataSource).query(`UPDATE webhooks SET url = $2 WHERE id = $1`, [w.body.id, `http://127.0.0.1:${receiver.port}/hook`]);
    await expectRefusedDelivery(api, w.body.id);
    expect((await api('DELETE', `/api/v1/webhooks/${w.body.id}`)).status).toBe(204);
  });
});

describe('continuous failure disables a webhook (e2e)', () => {
  let app: NestFastifyApplication;
  let receiver: Receiver;

  beforeAll(async () => {
    await migrateTestDatabase();
    receiver = await Receiver.start(() => ({ status: 500 }));
    // 0.0005 h = 1.8 s of continuous failure; attempts every ~300 ms for longer than that.
    ({ app } = await bootApi({
      WEBHOOK_DISABLE_AFTER_HOURS: '0.0005',
      WEBHOOK_RETRY_SCHEDULE: '0,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms',
    }));
  });

  afterAll(async () => {
    await app?.close();
    await receiver?.close();
  });

  it('disables after WEBHOOK_DISABLE_AFTER_HOURS of failures and fails what is queued; PATCH re-enables', async () => {
    const address = app.getHttpServer().address() as { port: number };
    const api = apiClient(`http://127.0.0.1:${address.port}`);
    const w = await api('POST', '/api/v1/webhooks', { name: 'flaky', url: receiver.url, event_types: ['webhook.test'] });
    const ping = await api('POST', `/api/v1/webhooks/${w.body.id}/test`);
    const disabled = await eventually(
      async () => {
        const r = await api('GET', `/api/v1/webhooks/${w.body.id}`);
        return r.body.is_active === false ? r.body : undefined;
      },
      15_000,
      'the webhook to be disabled',
    );
    expect(disabled.disabled_reason).toMatch(/failing continuously/);
    const d = await eventually(
      async () => {
        const r = await api('GET', `/api/v1/deliveries/${ping.body.delivery_id}`);
        return r.body.status === 'failed' ? r.body : undefined;
      },
      10_000,
      'the queued delivery to fail',
    );
    expect(d.attempts.length).toBeGreaterThanOrEqual(5);
    expect(d.attempts.length).toBeLessThan(12);
    const degraded = await api('GET', '/api/v1/webhooks/degraded');
    expect(degraded.body.find((h: { webhook_id: string }) => h.webhook_id === w.body.id)).toMatchObject({ state: 'disabled' });
    const enabled = await api('PATCH', `/api/v1/webhooks/${w.body.id}`, { is_active: true });
    expect(enabled.body.is_active).toBe(true);
    const health = await api('GET', '/api/v1/webhooks/health');
    // Re-enabling starts a fresh record: earlier failures no longer count.
    expect(health.body.find((h: { webhook_id: string }) => h.webhook_id === w.body.id)).toMatchObject({ state: 'healthy', consecutive_failures: 0 });
    expect((await api('DELETE', `/api/v1/webhooks/${w.body.id}`)).status).toBe(204);
  });
});

/** The queue repository's statements against the real PostgreSQL: what one statement must guarantee. */
describe('DeliveryQueue repository (e2e)', () => {
  let pool: Pool;
  let queue: DeliveryQueue;
  const webhookIds: string[] = [];

  beforeAll(async () => {
    await migrateTestDatabase();
    pool = new Pool({ connectionString: e2e.databaseUrl, max: 2 });
    queue = new DeliveryQueue({ db: pool });
  });

  afterAll(async () => {
    await pool.query(`DELETE FROM webhooks WHERE id = ANY ($1::uuid[])`, [webhookIds]);
    await pool.end();
  });

  /** A webhook with deliveries due tomorrow, so no worker in a concurrent suite claims them. */
  const webhookWithQueue = async (queued: number) => {
    const {
      rows: [w],
    } = await pool.query<{ id: string }>(`INSERT INTO webhooks (name, url, secret) VALUES ('repo', 'http://127.0.0.1:9/hook', 'whsec_AAAA') RETURNING id`);
    webhookIds.push(w.id);
    await pool.query(
      `INSERT INTO deliveries (webhook_id, event_type, payload, next_attempt_at)
       SELECT $1, 'webhook.test', '{}', now() + interval '1 day' FROM generate_series(1, $2)`,
      [w.id, queued],
    );
    return w.id;
  };
  const state = async (webhookId: string) => {
    const {
      rows: [w],
    } = await pool.query(`SELECT is_active, disabled_reason FROM webhooks WHERE id = $1`, [webhookId]);
    const { rows } = await pool.query(`SELECT status, last_error FROM deliveries WHERE webhook_id = $1`, [webhookId]);
    return { webhook: w, deliveries: rows };
  };

  it('disableWebhook: a failure failing the queue leaves the webhook enabled too (nothing half-done); then both happen', async () => {
    const id = await webhookWithQueue(2);
    // Make the second half (failing the queued deliveries) fail, for this webhook only.
    const fn = `e2e_refuse_${id.replace(/-/g, '')}`;
    await pool.query(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.webhook_id = '${id}' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$`);
    await pool.query(`CREATE TRIGGER ${fn} BEFORE UPDATE ON deliveries FOR EACH ROW EXECUTE FUNCTION ${fn}()`);
    try {
      await expect(queue.disableWebhook(id, 'receiver answered 410 Gone')).rejects.toThrow(/injected failure/);
    } finally {
      await pool.query(`DROP TRIGGER ${fn} ON deliveries`);
      await pool.query(`DROP FUNCTION ${fn}()`);
    }
    expect(await state(id)).toEqual({
      webhook: { is_active: true, disabled_reason: null },
      deliveries: [
        { status: 'pending', last_error: null },
        { status: 'pending', last_error: null },
      ],
    });

    await queue.disableWebhook(id, 'receiver answered 410 Gone');
    const failed = { status: 'failed', last_error: 'webhook disabled: receiver answered 410 Gone' };
    expect(await state(id)).toEqual({ webhook: { is_active: false, disabled_reason: 'receiver answered 410 Gone' }, deliveries: [failed, failed] });
  });

  it("complete: an outcome under a lease that was reclaimed is not recorded; the current lease's is", async () => {
    const id = await webhookWithQueue(1);
    const stale = '00000000-0000-4000-8000-000000000001';
    const current = '00000000-0000-4000-8000-000000000002';
    // As if the first worker's lease expired and another worker claimed the delivery again.
    const {
      rows: [d],
    } = await pool.query<{ id: string }>(
      `UPDATE deliveries SET status = 'in_flight', attempts = 2, lease_token = $2, lease_expires_at = now() + interval '1 hour'
       WHERE webhook_id = $1 RETURNING id`,
      [id, current],
    );
    const outcome = (leaseToken: string, statusCode: number) => ({
      id: d.id,
      leaseToken,
      success: statusCode < 300,
      statusCode,
      error: statusCode < 300 ? null : `receiver answered ${statusCode}`,
      responseBody: '',
      durationMs: 5,
      startedAt: new Date(),
      retryInMs: null,
    });
    expect([...(await queue.complete([outcome(stale, 410)]))]).toEqual([]);
    const attempts = async () => (await pool.query(`SELECT attempt, status_code FROM delivery_attempts WHERE delivery_id = $1`, [d.id])).rows;
    expect(await attempts()).toEqual([]);
    expect((await pool.query(`SELECT status, lease_token FROM deliveries WHERE id = $1`, [d.id])).rows).toEqual([
      { status: 'in_flight', lease_token: current },
    ]);

    expect([...(await queue.complete([outcome(current, 200)]))]).toEqual([d.id]);
    expect(await attempts()).toEqual([{ attempt: 2, status_code: 200 }]);
    expect((await pool.query(`SELECT status, lease_token FROM deliveries WHERE id = $1`, [d.id])).rows).toEqual([{ status: 'succeeded', lease_token: null }]);
  });
});
