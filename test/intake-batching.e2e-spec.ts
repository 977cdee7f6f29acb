import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { e2e } from './support/e2e-env';
import { AlertIntake } from '../apps/api/src/alerts/alert-intake';
import { apiClient, bootApi, migrateTestDatabase, Receiver } from './support/domain';
import { waitFor } from './support/wait-for';

/**
 * Group commit of `POST /api/v1/alerts` (issue 15): concurrent creates are written together, and each client gets what
 * one-by-one processing would have given it.
 */
describe('intake group commit (e2e)', () => {
  let app: NestFastifyApplication;
  let api: ReturnType<typeof apiClient>;
  let receiver: Receiver;
  let db: Client;
  const hooks: string[] = [];

  beforeAll(async () => {
    await migrateTestDatabase();
    // A short wait gathers the concurrent requests of each test into few batches, so batching is what is tested.
    const booted = await bootApi({ INTAKE_BATCH_MAX_WAIT_MS: '20', INTAKE_BATCH_MAX_SIZE: '64' });
    app = booted.app;
    api = apiClient(booted.url);
    receiver = await Receiver.start();
    db = new Client({ connectionString: e2e.databaseUrl });
    await db.connect();
    for (const body of [
      { name: 'intake-all', url: receiver.url },
      { name: 'intake-critical-only', url: receiver.url, min_severity: 'critical' },
    ]) {
      const r = await api('POST', '/api/v1/webhooks', body);
      expect(r.status).toBe(201);
      hooks.push(r.body.id);
    }
  });

  afterAll(async () => {
    for (const id of hooks) await api('DELETE', `/api/v1/webhooks/${id}`);
    await db?.end();
    await app?.close();
    await receiver?.close();
  });

  const deliveriesOf = async (webhookId: string, alertIds: string[]) => {
    const { rows } = await db.query<{ alert_id: string; n: string }>(
      `SELECT alert_id, count(*) AS n FROM deliveries WHERE webhook_id = $1 AND event_type = 'alert.created' AND alert_id = ANY($2::uuid[]) GROUP BY alert_id`,
      [webhookId, alertIds],
    );
    return new Map(rows.map((r) => [r.alert_id, Number(r.n)]));
  };

  it('100 concurrent creates with duplicates: one 201 per fingerprint, exact occurrences, one firing row and one fan-out per new alert', async () => {
    const run = randomUUID().slice(0, 8);
    // 30 fingerprints; fingerprint k is sent (k % 5) + 1 times, interleaved: 90 requests, plus 10 for an already firing one.
    const requests: string[] = [];
    for (let round = 0; round < 5; round += 1) for (let k = 0; k < 30; k += 1) if (k % 5 >= round) requests.push(`${run}-${k}`);
    const existing = `${run}-existing`;
    const before = await api('POST', '/api/v1/alerts', { title: 'already firing', severity: 'warning', fingerprint: existing });
    expect(before.status).toBe(201);
    for (let i = 0; i < 10; i += 1) requests.splice(i * 9, 0, existing);
    expect(requests).toHaveLength(100);

    const responses = await Promise.all(
      requests.map((fingerprint) => api('POST', '/api/v1/alerts', { title: `t ${fingerprint}`, severity: 'warning', fingerprint })),
    );
    expect(responses.map((r) => r.status).filter((s) => s !== 200 && s !== 201)).toEqual([]);

    const byFingerprint = new Map<string, Array<(typeof responses)[number]>>();
    requests.forEach((f, i) => byFingerprint.set(f, [...(byFingerprint.get(f) ?? []), responses[i]]));
    for (const [fingerprint, own] of byFingerprint) {
      const isNew = fingerprint !== existing;
      // Whatever order they were processed in, one by one they would have seen 1..n (or 2..n+1 after the first create).
      const seen = own.map((r) => r.body.occurrences as number).sort((a, b) => a - b);
      expect(seen).toEqual(own.map((_, i) => i + (isNew ? 1 : 2)));
      expect(own.filter((r) => r.status === 201)).toHaveLength(isNew ? 1 : 0);
      for (const r of own) {
        expect(r.body.deduplicated).toBe(r.status === 200);
        expect(r.body.fingerprint).toBe(fingerprint);
        if (r.status === 201) expect(r.body.occurrences).toBe(1);
      }
      expect(new Set(own.map((r) => r.body.id)).size).toBe(1);
    }

    const { rows } = await db.query<{ fingerprint: string; occurrences: number }>(
      `SELECT fingerprint, occurrences FROM alerts WHERE status = 'firing' AND fingerprint LIKE $1 ORDER BY fingerprint`,
      [`${run}-%`],
    );
    expect(rows).toHaveLength(31);
    for (const row of rows) expect(row.occurrences).toBe(byFingerprint.get(row.fingerprint)!.length + (row.fingerprint === existing ? 1 : 0));

    // Fan-out: each new alert once to the webhook taking everything, never to the critical-only one (filters hold).
    const created = responses.filter((r) => r.status === 201).map((r) => r.body.id as string);
    expect(created).toHaveLength(30);
    const all = await deliveriesOf(hooks[0], [...created, before.body.id]);
    expect([...all.values()]).toEqual(new Array(31).fill(1));
    expect((await deliveriesOf(hooks[1], created)).size).toBe(0);
    // The event carries the alert as it was created (one occurrence), as one-by-one processing would have sent it.
    const { rows: payloads } = await db.query<{ payload: string }>(`SELECT payload FROM deliveries WHERE webhook_id = $1 AND alert_id = ANY($2::uuid[])`, [
      hooks[0],
      created,
    ]);
    expect(payloads.map((p) => (JSON.parse(p.payload) as { data: { occurrences: number } }).data.occurrences)).toEqual(new Array(30).fill(1));
  });

  it('a value PostgreSQL refuses fails its own request alone (400 per field); its batch neighbours are created', async () => {
    const run = randomUUID().slice(0, 8);
    // A lone UTF-16 surrogate passes validation but not PostgreSQL's jsonb (SQLSTATE 22P02): refused in the batch statement.
    const bodies = Array.from({ length: 20 }, (_, i) => ({
      title: `isolation ${run} ${i}`,
      severity: 'info',
      fingerprint: `${run}-${i}`,
      labels: i === 7 ? { broken: '\ud800' } : { ok: 'yes' },
    }));
    const responses = await Promise.all(bodies.map((b) => api('POST', '/api/v1/alerts', b)));
    expect(responses.map((r) => r.status)).toEqual(bodies.map((_, i) => (i === 7 ? 400 : 201)));
    expect(responses[7].body.message).toBe('validation failed');
    const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM alerts WHERE fingerprint LIKE $1`, [`${run}-%`]);
    expect(Number(rows[0].n)).toBe(19);
  });

  it('a full intake queue answers 503 with Retry-After at once, never an unbounded wait', async () => {
    const small = await bootApi({ INTAKE_BATCH_MAX_WAIT_MS: '1000', INTAKE_BATCH_MAX_SIZE: '100', INTAKE_QUEUE_MAX: '2' });
    try {
      const call = apiClient(small.url);
      const run = randomUUID().slice(0, 8);
      const started = Date.now();
      const pending = [0, 1].map((i) => call('POST', '/api/v1/alerts', { title: `queued ${run} ${i}`, severity: 'info' }));
      // The two above wait (up to 1 s) for company; the queue holds them, so the next ones are refused.
      const intake = small.app.get(AlertIntake);
      await waitFor(() => intake.queued === 2, { timeoutMs: 1000, intervalMs: 5, what: () => `the two creates queued (queued: ${intake.queued})` });
      const refused = await Promise.all([2, 3, 4].map((i) => call('POST', '/api/v1/alerts', { title: `refused ${run} ${i}`, severity: 'info' })));
      for (const r of refused) {
        expect(r.status).toBe(503);
        expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
      }
      expect(Date.now() - started).toBeLessThan(1000);
      expect((await Promise.all(pending)).map((r) => r.status)).toEqual([201, 201]);
    } finally {
      await small.app.close();
    }
  });
});
