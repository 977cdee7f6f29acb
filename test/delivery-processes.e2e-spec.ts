import { Client } from 'pg';
import { Webhook } from 'standardwebhooks';
import { e2e } from './support/e2e-env';
import { apiClient, domainRawEnv, migrateTestDatabase, Receiver } from './support/domain';
import { Fleet, runCli } from './support/processes';
import { freePort } from './support/services';
import { sleep, waitFor } from './support/wait-for';

/**
 * The built targets as separate processes (npm run build first): `cli token`, the API and `cli worker` sharing one
 * queue, and a kill -9 of the API with hundreds of deliveries in flight.
 */
describe('delivery processes (e2e, built targets)', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  const fleet = new Fleet();
  let db: Client;

  beforeAll(async () => {
    await migrateTestDatabase();
    db = new Client({ connectionString: e2e.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await fleet.stopAll();
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await db?.end();
  });

  // Ready, not just listening: the domain routes answer 503 until the database connection is up.
  const startApi = async (raw: Record<string, string | undefined>) => fleet.api(raw, await freePort());

  /** Records, per webhook-id, how many requests arrived and whether two overlapped. */
  const trackingReceiver = async (delayMs: number) => {
    const inProgress = new Set<string>();
    const seen = new Map<string, number>();
    let overlapping = 0;
    const r = await Receiver.start(async (req) => {
      const id = String(req.headers['webhook-id']);
      if (inProgress.has(id)) overlapping += 1;
      inProgress.add(id);
      seen.set(id, (seen.get(id) ?? 0) + 1);
      await sleep(delayMs);
      inProgress.delete(id);
      return { status: 200 };
    });
    cleanups.push(() => r.close());
    return { r, seen, overlapping: () => overlapping };
  };

  const createWebhook = async (api: ReturnType<typeof apiClient>, url: string) => {
    const w = await api('POST', '/api/v1/webhooks', { name: 'proc', url, event_types: ['alert.created'] });
    expect(w.status).toBe(201);
    return w.body as { id: string; secret: string };
  };

  const createAlerts = async (api: ReturnType<typeof apiClient>, n: number, tag: string) => {
    for (let i = 0; i < n; i += 25) {
      const batch = Array.from({ length: Math.min(25, n - i) }, (_, j) =>
        api('POST', '/api/v1/alerts', { title: `${tag} ${i + j}`, severity: 'info', fingerprint: `${tag}-${i + j}` }),
      );
      for (const r of await Promise.all(batch)) expect(r.status).toBe(201);
    }
  };

  const statusCounts = async (webhookId: string) => {
    const { rows } = await db.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM deliveries WHERE webhook_id = $1 GROUP BY status`, [
      webhookId,
    ]);
    return Object.fromEntries(rows.map((r) => [r.status, r.n])) as Record<string, number>;
  };

  it('cli token prints a token the API accepts, with the requested scopes only', async () => {
    const raw = domainRawEnv();
    const ok = await runCli(['token', '--sub', 'ci-bot', '--scope', 'alerts:read', '--ttl', '10m'], raw);
    expect(ok.code).toBe(0);
    const tok = ok.stdout.trim();
    expect(tok.split('.')).toHaveLength(3);
    expect(ok.stderr).not.toContain(tok);
    const api = await startApi(domainRawEnv({ DELIVERY_CONCURRENCY: '0' }));
    expect((await apiClient(api.baseUrl, tok)('GET', '/api/v1/alerts')).status).toBe(200);
    expect((await apiClient(api.baseUrl, tok)('POST', '/api/v1/alerts', { title: 'x', severity: 'info' })).status).toBe(403);
    expect((await runCli(['token', '--sub', 'x', '--scope', 'root'], raw)).code).toBe(64);
    expect((await runCli(['token'], raw)).code).toBe(64);
    expect(api.output).not.toContain(tok);
    await api.stop();
  });

  it('the API and a cli worker share the queue: every delivery once, never two attempts of one at the same time', async () => {
    const { r, seen, overlapping } = await trackingReceiver(15);
    const raw = domainRawEnv({ DELIVERY_CONCURRENCY: '2', DELIVERY_MAX_IN_FLIGHT: '8', DELIVERY_BATCH_SIZE: '4', DELIVERY_POLL_INTERVAL_MS: '100' });
    const api = await startApi(raw);
    const worker = await fleet.cli(['worker'], raw, /delivery worker running/, { timeoutMs: 15_000 });

    const client = apiClient(api.baseUrl);
    const webhook = await createWebhook(client, r.url);
    await createAlerts(client, 300, 'shared');
    await waitFor(async () => (await statusCounts(webhook.id)).succeeded === 300, 60_000, '300 deliveries to succeed');
    expect(overlapping()).toBe(0);
    expect(seen.size).toBe(300);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM delivery_attempts WHERE webhook_id = $1`, [webhook.id]);
    expect(rows[0].n).toBe(300);
    new Webhook(webhook.secret).verify(r.received[0].body, r.received[0].headers as Record<string, string>);

    const { code } = await worker.stop('SIGTERM');
    expect(code).toBe(0);
    expect(worker.output).not.toContain(webhook.secret);
    await client('DELETE', `/api/v1/webhooks/${webhook.id}`);
    await api.stop();
  });

  it('kill -9 of the API with hundreds of deliveries in flight loses none: all end succeeded after a restart', async () => {
    // A slow receiver and a wide in-flight window: at the kill, about 200 requests are open at once. Slow enough
    // that deliveries pile up even when creating the alerts is slow (a loaded machine): at 1 s each, the in-flight
    // count stayed under 100 while the alerts trickled in, then drained before it was looked at.
    const { r, seen } = await trackingReceiver(2500);
    // Short lease so the restarted API reclaims the dead process's deliveries quickly.
    const raw = domainRawEnv({
      DELIVERY_CONCURRENCY: '2',
      DELIVERY_MAX_IN_FLIGHT: '200',
      DELIVERY_MAX_IN_FLIGHT_PER_WEBHOOK: '200',
      DELIVERY_LEASE_MS: '5000',
      DELIVERY_REAPER_INTERVAL_MS: '500',
      WEBHOOK_TIMEOUT_MS: '5000',
    });
    const first = await startApi(raw);
    const client = apiClient(first.baseUrl);
    const webhook = await createWebhook(client, r.url);
    const total = 600;
    await createAlerts(client, total, 'crash');
    await waitFor(async () => ((await statusCounts(webhook.id)).in_flight ?? 0) >= 100, 20_000, 'at least 100 deliveries in flight');
    const before = await statusCounts(webhook.id);
    first.child.kill('SIGKILL');
    await first.exited;
    const inFlightAtKill = before.in_flight ?? 0;
    expect(inFlightAtKill).toBeLessThanOrEqual(200); // DELIVERY_MAX_IN_FLIGHT holds across claim loops
    const pendingAtKill = before.pending ?? 0;

    const second = await startApi(raw);
    await waitFor(async () => (await statusCounts(webhook.id)).succeeded === total, 90_000, `all ${total} deliveries to succeed after the restart`);
    const after = await statusCounts(webhook.id);
    expect(after).toEqual({ succeeded: total });
    expect(seen.size).toBe(total);
    const duplicates = [...seen.values()].reduce((sum, n) => sum + n - 1, 0);
    process.stdout.write(
      `crash test: ${total} deliveries; at kill -9: ${inFlightAtKill} in flight, ${pendingAtKill} pending, ${before.succeeded ?? 0} succeeded; ` +
        `after restart: all ${total} succeeded, none lost, ${duplicates} duplicate receipt(s)\n`,
    );
    expect(duplicates).toBeLessThanOrEqual(inFlightAtKill + 200);
    await apiClient(second.baseUrl)('DELETE', `/api/v1/webhooks/${webhook.id}`);
    await second.stop();
  });
});
