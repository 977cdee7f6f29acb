import * as jwt from 'jsonwebtoken';
import { TEST_SECRET_KEY } from './support/e2e-env';
import { apiClient, domainRawEnv, migrateTestDatabase, Receiver, token } from './support/domain';
import { type ApiProcess, Fleet } from './support/processes';
import { freePort, PrivateRedis } from './support/services';
import { sleep, waitFor } from './support/wait-for';
import { WebSocket, type WsClient, WS_OPEN } from './support/ws-client';

/**
 * The live dashboard feed on the built API (npm run build first): two replicas on one private Redis. Handshake
 * refusals, the snapshot, events in commit order, cross-replica delivery, Redis loss and return, heartbeat, the
 * slow-consumer bound, metrics, and no token in any log line.
 */
describe('dashboard feed (e2e, built API, two replicas)', () => {
  const fleet = new Fleet();
  const sockets: WsClient[] = [];
  let redis: PrivateRedis;
  let a: ApiProcess;
  let b: ApiProcess;
  const readToken = token(['alerts:read'], 'watcher');
  const adminToken = token(['admin'], 'e2e-admin');
  const wsPath = '/api/v1/ws/dashboard';

  beforeAll(async () => {
    await migrateTestDatabase();
    redis = await fleet.redis();
    const raw = (extra: Record<string, string>) =>
      domainRawEnv({ REDIS_URL: redis.url, LOG_LEVEL: 'info', DELIVERY_CONCURRENCY: '0', WS_STATS_INTERVAL_MS: '500', ...extra });
    [a, b] = await Promise.all([
      fleet.api(raw({ WS_MAX_BUFFERED_BYTES: '65536', WS_MAX_CONNECTIONS: '20' }), await freePort()),
      fleet.api(raw({ WS_HEARTBEAT_MS: '1000' }), await freePort()),
    ]);
  });

  afterAll(async () => {
    for (const s of sockets) s.terminate();
    // Other suites share the run's database: leave no webhooks behind (their deliveries would queue up for the rest of the run).
    if (a) {
      const api = apiClient(a.baseUrl, adminToken);
      for (const w of (await api('GET', '/api/v1/webhooks?limit=500')).body?.items ?? []) await api('DELETE', `/api/v1/webhooks/${w.id}`);
    }
    await fleet.stopAll();
  });

  interface Client {
    ws: WsClient;
    messages: Array<Record<string, unknown> & { type: string }>;
    closed: Promise<{ code: number; reason: string }>;
  }

  const connect = async (api: ApiProcess, tok: string | null = readToken, viaProtocol = false): Promise<Client> => {
    const url = `ws://127.0.0.1:${api.port}${wsPath}${tok && !viaProtocol ? `?token=${tok}` : ''}`;
    const ws = new WebSocket(url, viaProtocol && tok ? ['signalgate.dashboard.v1', `bearer.${tok}`] : undefined);
    sockets.push(ws);
    const messages: Client['messages'] = [];
    ws.on('message', (data) => messages.push(JSON.parse(String(data)) as Client['messages'][number]));
    const closed = new Promise<{ code: number; reason: string }>((ok) => ws.on('close', (code, reason) => ok({ code, reason: String(reason) })));
    await new Promise<void>((ok, fail) => {
      ws.once('open', () => ok());
      ws.once('error', fail);
      ws.once('unexpected-response', (_req, res) => fail(new Error(`refused ${res.statusCode}`)));
    });
    await waitFor(() => messages.some((m) => m.type === 'snapshot'), { timeoutMs: 5000, what: 'the snapshot' });
    return { ws, messages, closed };
  };

  /** The HTTP status of a refused upgrade. */
  const refusal = (api: ApiProcess, query: string, protocols?: string[]) =>
    new Promise<number>((ok, fail) => {
      const ws = new WebSocket(`ws://127.0.0.1:${api.port}${wsPath}${query}`, protocols);
      sockets.push(ws);
      ws.once('unexpected-response', (_req, res) => {
        ok(res.statusCode ?? 0);
        res.resume();
      });
      ws.once('open', () => fail(new Error('the upgrade was accepted')));
      ws.on('error', () => undefined);
    });

  const expiredToken = jwt.sign({ sub: 'late', scope: 'alerts:read', exp: Math.floor(Date.now() / 1000) - 120 }, TEST_SECRET_KEY, { algorithm: 'HS256' });
  const badToken = jwt.sign({ sub: 'forger', scope: 'admin' }, `${TEST_SECRET_KEY}-other`, { algorithm: 'HS256', expiresIn: 600 });
  const noScopeToken = token(['webhooks:read'], 'no-scope');

  const events = (c: Client, type: string) => c.messages.filter((m) => m.type === type);
  const alertEvent = (c: Client, type: string, id: string) => c.messages.find((m) => m.type === type && (m.alert as { id: string }).id === id);

  it('the built API serves the page the build made (dist/apps/dashboard), its script under its content hash (issue 23)', async () => {
    const html = await (await fetch(`${a.baseUrl}/dashboard`)).text();
    const script = /"\/dashboard\/(dashboard\.[0-9a-f]{16}\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    // Both replicas run the same build: the same name, so a page from one loads its script from the other.
    expect(await (await fetch(`${b.baseUrl}/dashboard`)).text()).toBe(html);
    const res = await fetch(`${b.baseUrl}/dashboard/${script}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await res.text()).toContain('/api/v1/ws/dashboard');
  });

  it('refuses the upgrade without a valid token with alerts:read (401/403), accepts ?token= and the sub-protocol', async () => {
    expect(await refusal(a, '')).toBe(401);
    expect(await refusal(a, '?token=')).toBe(401);
    expect(await refusal(a, `?token=${expiredToken}`)).toBe(401);
    expect(await refusal(a, `?token=${badToken}`)).toBe(401);
    expect(await refusal(a, '?token=not.a.jwt')).toBe(401);
    expect(await refusal(a, `?token=${noScopeToken}`)).toBe(403);
    expect(await refusal(a, '', ['signalgate.dashboard.v1', `bearer.${expiredToken}`])).toBe(401);
    const viaProtocol = await connect(a, readToken, true);
    expect(viaProtocol.ws.protocol).toBe('signalgate.dashboard.v1');
    viaProtocol.ws.close();
  });

  it('closes the socket with 4401 when the token expires', async () => {
    const c = await connect(a, token(['alerts:read'], 'short-lived', 2));
    const closed = await Promise.race([c.closed, sleep(10_000).then(() => undefined)]);
    expect(closed).toEqual({ code: 4401, reason: 'token expired' });
  });

  it('starts with a snapshot: firing alerts, webhook health, queue, readiness', async () => {
    const api = apiClient(a.baseUrl, adminToken);
    const hook = await api('POST', '/api/v1/webhooks', { name: 'snap-hook', url: 'http://127.0.0.1:9/hook', event_types: ['alert.created'] });
    expect(hook.status).toBe(201);
    const created = await api('POST', '/api/v1/alerts', { title: 'snapshot me', severity: 'critical', fingerprint: 'snap-1' });
    expect(created.status).toBe(201);
    const c = await connect(b);
    const snap = c.messages[0] as unknown as {
      alerts: { items: Array<{ id: string; severity: string }>; total: number };
      webhooks: Array<{ webhook_id: string; state: string; success_rate: unknown; p95_latency_ms: unknown; consecutive_failures: number }>;
      queue: { depth: number; due: number; oldest_due_age_ms: number | null };
      readiness: { ok: boolean; checks: Record<string, { ok: boolean; detail: string }> };
    };
    expect(c.messages[0].type).toBe('snapshot');
    expect(snap.alerts.items.map((x) => x.id)).toContain(created.body.id);
    expect(snap.alerts.total).toBeGreaterThanOrEqual(1);
    expect(snap.webhooks.find((w) => w.webhook_id === hook.body.id)).toMatchObject({ state: 'healthy', consecutive_failures: 0 });
    expect(snap.queue.depth).toBeGreaterThanOrEqual(1); // the webhook's delivery waits: no worker in this suite
    expect(snap.queue.oldest_due_age_ms).not.toBeNull();
    expect(snap.readiness).toMatchObject({ ok: true, checks: { db: { ok: true }, redis: { ok: true }, migrations: { ok: true, detail: 'head' } } });
    expect(JSON.stringify(c.messages)).not.toContain('whsec_'); // no webhook secret in the feed
    c.ws.close();
  });

  it('sends alert events after commit, in order, to clients on the same and on the other replica', async () => {
    const onA = await connect(a);
    const onB = await connect(b);
    const apiA = apiClient(a.baseUrl, adminToken);
    const apiB = apiClient(b.baseUrl, adminToken);
    const created = await apiA('POST', '/api/v1/alerts', { title: 'order test', severity: 'high', fingerprint: 'order-1' });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    // Committed before it was announced: the other replica reads it as soon as its event arrives there.
    await waitFor(() => alertEvent(onB, 'alert.created', id), { timeoutMs: 5000, what: 'alert.created on replica B' });
    expect((await apiB('GET', `/api/v1/alerts/${id}`)).status).toBe(200);
    expect((await apiA('POST', '/api/v1/alerts', { title: 'order test', severity: 'high', fingerprint: 'order-1' })).status).toBe(200);
    expect((await apiB('POST', `/api/v1/alerts/${id}/acknowledge`, { note: 'looking' })).status).toBe(200);
    expect((await apiA('POST', `/api/v1/alerts/${id}/resolve`)).status).toBe(200);
    for (const c of [onA, onB]) {
      await waitFor(() => alertEvent(c, 'alert.resolved', id), { timeoutMs: 5000, what: 'alert.resolved' });
      const sequence = c.messages.filter((m) => m.type.startsWith('alert.') && (m.alert as { id: string }).id === id).map((m) => m.type);
      expect(sequence).toEqual(['alert.created', 'alert.deduplicated', 'alert.acknowledged', 'alert.resolved']);
      expect(alertEvent(c, 'alert.acknowledged', id)?.alert).toMatchObject({ acknowledged: true, acknowledged_by: 'e2e-admin' });
    }
    onA.ws.close();
    onB.ws.close();
  });

  it("a cli worker's delivery outcomes reach another replica's clients, coalesced, with the webhook's new health", async () => {
    const receiver = await Receiver.start(() => ({ status: 200 }));
    try {
      const onB = await connect(b);
      const api = apiClient(a.baseUrl, adminToken);
      const hook = await api('POST', '/api/v1/webhooks', { name: 'worker-hook', url: receiver.url, event_types: ['alert.created'] });
      expect(hook.status).toBe(201);
      await fleet.cli(['worker'], domainRawEnv({ REDIS_URL: redis.url, WS_DELIVERY_COALESCE_MS: '250' }), /delivery worker running/, { timeoutMs: 15_000 });
      for (let i = 0; i < 20; i += 1) expect((await api('POST', '/api/v1/alerts', { title: `burst ${i}`, severity: 'info' })).status).toBe(201);
      const counted = () =>
        events(onB, 'delivery.succeeded')
          .filter((e) => e.webhook_id === hook.body.id)
          .reduce((n, e) => n + (e.count as number), 0);
      await waitFor(() => counted() >= 20, { timeoutMs: 15_000, what: 'delivery.succeeded counts for 20 deliveries on B' });
      // Coalesced: fewer events than deliveries.
      expect(events(onB, 'delivery.succeeded').filter((e) => e.webhook_id === hook.body.id).length).toBeLessThan(20);
      await waitFor(
        () =>
          events(onB, 'webhook.health').some((e) =>
            (e.webhooks as Array<{ webhook_id: string; attempts: number }>).some((w) => w.webhook_id === hook.body.id && w.attempts >= 20),
          ),
        { timeoutMs: 10_000, what: "the webhook's health with its attempts on B" },
      );
      onB.ws.close();
    } finally {
      await receiver.close();
    }
  }, 60_000);

  it('drops a peer that stops answering pings (heartbeat)', async () => {
    const c = await connect(b); // B pings every second
    c.ws.pause(); // stops reading: no pong
    await waitFor(async () => /signalgate_ws_disconnects_total\{reason="heartbeat"\} [1-9]/.test(await (await fetch(`${b.baseUrl}/metrics`)).text()), {
      timeoutMs: 8000,
      intervalMs: 200,
      what: 'a heartbeat disconnect on B',
    });
    c.ws.resume();
    await c.closed; // the server ended the connection
  });

  it('closes a slow consumer with 1013 once its unsent bytes pass the bound, and keeps serving the others', async () => {
    const api = apiClient(a.baseUrl, adminToken);
    // Many firing alerts with long titles make each snapshot large; an Alertmanager payload re-sends it to everyone.
    const payload = (round: number) => ({
      version: '4',
      status: 'firing',
      receiver: 'signalgate',
      alerts: Array.from({ length: 200 }, (_, i) => ({
        status: 'firing',
        labels: { alertname: `slow-${i}`, round: String(round % 2) },
        annotations: { summary: `slow consumer ${i} `.padEnd(300, 'x') },
      })),
    });
    const slow = await connect(a);
    const healthy = await connect(a);
    slow.ws.pause();
    let code: number | undefined;
    void slow.closed.then((c) => (code = c.code));
    await waitFor(
      async () => {
        expect((await api('POST', '/api/v1/alerts/alertmanager', payload(Date.now()))).status).toBe(200);
        const metrics = await (await fetch(`${a.baseUrl}/metrics`)).text();
        return /signalgate_ws_disconnects_total\{reason="slow_consumer"\} [1-9]/.test(metrics);
      },
      { timeoutMs: 45_000, intervalMs: 50, what: 'the slow consumer to be closed' },
    );
    slow.ws.resume();
    await waitFor(() => code, { timeoutMs: 10_000, what: 'the close frame' });
    expect(code).toBe(1013);
    expect(healthy.ws.readyState).toBe(WS_OPEN);
    expect(events(healthy, 'snapshot').length).toBeGreaterThan(1);
    healthy.ws.close();
  }, 90_000);

  it('Redis down: local events still flow and nothing crashes; back: events cross replicas again', async () => {
    const onA = await connect(a);
    const onB = await connect(b);
    const apiA = apiClient(a.baseUrl, adminToken);
    await redis.kill();
    // Critical: the snapshot lists the 200 most severe firing alerts, newest first, and other suites share this
    // run's database (one of them leaves a thousand firing alerts of mixed severity).
    const during = await apiA('POST', '/api/v1/alerts', { title: 'during outage', severity: 'critical', fingerprint: 'outage-1' });
    expect(during.status).toBe(201);
    await waitFor(() => alertEvent(onA, 'alert.created', during.body.id as string), { timeoutMs: 5000, what: 'the local event during the outage' });
    await redis.start();
    // B re-subscribes on its own and is told to re-sync (a fresh snapshot holds what it missed).
    // (A snapshot B got before Redis returned — e.g. for an earlier test's Alertmanager bulk event — cannot hold it.)
    const holdsMissed = () =>
      (events(onB, 'snapshot') as unknown as Array<{ alerts: { items: Array<{ id: string }> } | null }>).some((s) =>
        (s.alerts?.items ?? []).some((x) => x.id === during.body.id),
      );
    await waitFor(holdsMissed, { timeoutMs: 20_000, what: 'a fresh snapshot on B, holding the alert it missed, after Redis returned' });
    await waitFor(
      async () => {
        const after = await apiA('POST', '/api/v1/alerts', { title: `after outage ${Date.now()}`, severity: 'info' });
        expect(after.status).toBe(201);
        // An event published before B re-subscribed is lost for good: give each alert a bounded wait, then a new one.
        return waitFor(() => alertEvent(onB, 'alert.created', after.body.id as string), { timeoutMs: 1000, intervalMs: 20 }).catch(() => undefined);
      },
      { timeoutMs: 20_000, intervalMs: 200, what: 'a cross-replica event after Redis returned' },
    );
    expect(a.running && b.running).toBe(true);
    onA.ws.close();
    onB.ws.close();
  }, 60_000);

  it('refuses connections beyond WS_MAX_CONNECTIONS with 503 (20 on replica A)', async () => {
    const opened: Client[] = [];
    let refused: number | undefined;
    for (let i = 0; i < 25 && refused === undefined; i += 1) {
      try {
        opened.push(await connect(a));
      } catch (e) {
        refused = Number(/refused (\d+)/.exec(String(e))?.[1]);
      }
    }
    expect(refused).toBe(503);
    expect(opened.length).toBeLessThanOrEqual(20);
    for (const c of opened) c.ws.close();
    await waitFor(async () => /^signalgate_ws_clients 0$/m.test(await (await fetch(`${a.baseUrl}/metrics`)).text()), {
      timeoutMs: 5000,
      what: 'the gauge back to 0',
    });
  });

  it('exposes the client gauge and never writes a token to a log line', async () => {
    const c = await connect(a);
    const metrics = await (await fetch(`${a.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^signalgate_ws_clients [1-9]/m);
    c.ws.close();
    const output = a.output + b.output;
    expect(output).toContain('dashboard connection refused (401)'); // the refusals were logged, masked
    for (const t of [readToken, adminToken, expiredToken, badToken, noScopeToken]) {
      expect(output).not.toContain(t);
      expect(output).not.toContain(t.split('.')[2]);
    }
    expect(output).not.toMatch(/token=[A-Za-z0-9_-]{8,}/);
  });
});
