import { createSocket, type Socket } from 'node:dgram';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { apiClient, bootApi, eventually, migrateTestDatabase, Receiver } from './support/domain';

const NOISY = 400;

/** The queried name of a DNS message (header, then length-prefixed labels). */
function questionName(msg: Buffer): string {
  const labels: string[] = [];
  for (let at = 12; at < msg.length && msg[at] !== 0; at += msg[at] + 1) labels.push(msg.subarray(at + 1, at + 1 + msg[at]).toString('latin1'));
  return labels.join('.');
}

/**
 * Issue 22: webhooks whose names never resolve must not starve the others. `dns.lookup` queued every name on
 * libuv's four threads, uncancellable, so a healthy webhook got nothing for minutes. Here hundreds of lookups hang
 * on a DNS server that reads and drops every query, and a webhook on `localhost` (the hosts file) is delivered to
 * at once meanwhile.
 */
describe('webhook hostnames that never resolve (e2e)', () => {
  let app: NestFastifyApplication;
  let api: ReturnType<typeof apiClient>;
  let blackHole: Socket;
  let receiver: Receiver;
  const asked = new Set<string>();
  const noisyIds: string[] = [];
  let healthyId: string | undefined;

  beforeAll(async () => {
    await migrateTestDatabase();
    // A large receive buffer: bursts of queries must not be dropped before they are counted.
    blackHole = createSocket({ type: 'udp4', recvBufferSize: 8 << 20 });
    blackHole.on('message', (msg) => asked.add(questionName(msg)));
    await new Promise<void>((ok) => blackHole.bind(0, '127.0.0.1', ok));
    receiver = await Receiver.start();
    const booted = await bootApi({
      DELIVERY_DNS_SERVERS: `127.0.0.1:${blackHole.address().port}`,
      // About 12 s per lookup (4 s, then 8 s): every noisy lookup still hangs while the healthy pings are delivered.
      DELIVERY_DNS_TIMEOUT_MS: '4000',
      DELIVERY_DNS_TRIES: '2',
      DELIVERY_DNS_MAX_CONCURRENT: '256',
      DELIVERY_DNS_QUEUE_WAIT_MS: '1000',
      // The noisy deliveries hold request slots while they wait for DNS: leave room, this suite is about DNS.
      DELIVERY_MAX_IN_FLIGHT: '1024',
      WEBHOOK_TIMEOUT_MS: '30000',
      WEBHOOK_RETRY_SCHEDULE: '0,1h',
      DELIVERY_POLL_INTERVAL_MS: '100',
    });
    app = booted.app;
    api = apiClient(booted.url);
  });

  afterAll(async () => {
    // Other suites share the run's database: leave no webhooks behind.
    const ids = healthyId ? [...noisyIds, healthyId] : noisyIds;
    if (app) await app.get(DataSource).query(`DELETE FROM webhooks WHERE id = ANY ($1::uuid[])`, [ids]);
    await app?.close();
    await receiver?.close();
    blackHole?.close();
  });

  /** Runs `task` over `items`, `width` at a time. */
  async function inParallel<T>(items: T[], width: number, task: (item: T) => Promise<void>): Promise<void> {
    for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(task));
  }

  it('delivers to a localhost webhook within normal time while hundreds of lookups hang; the hanging ones fail retryably', async () => {
    const names = Array.from({ length: NOISY }, (_, i) => `h${i}.example.invalid`);
    await inParallel(names, 25, async (name) => {
      const w = await api('POST', '/api/v1/webhooks', { name, url: `http://${name}/hook`, event_types: ['webhook.test'] });
      expect(w.status).toBe(201);
      noisyIds.push(w.body.id);
    });
    await inParallel(noisyIds, 25, async (id) => {
      expect((await api('POST', `/api/v1/webhooks/${id}/test`)).status).toBe(202);
    });
    // Every lookup slot is taken by a name the server never answers.
    await eventually(async () => (asked.size >= 256 ? true : undefined), 15_000, '256 names asked of the silent DNS server');

    const healthy = await api('POST', '/api/v1/webhooks', { name: 'healthy', url: `http://localhost:${receiver.port}/hook`, event_types: ['webhook.test'] });
    expect(healthy.status).toBe(201);
    healthyId = healthy.body.id;
    const started = Date.now();
    for (let i = 0; i < 10; i += 1) expect((await api('POST', `/api/v1/webhooks/${healthyId}/test`)).status).toBe(202);
    await eventually(async () => (receiver.received.length >= 10 ? true : undefined), 10_000, 'the 10 healthy deliveries');
    const healthyMs = Date.now() - started;
    expect(healthyMs).toBeLessThan(3000);

    // The noisy lookups were still hanging all that time (none ends before about 12 s).
    const db = app.get(DataSource);
    const noisyAttempts = async () =>
      (await db.query(`SELECT error, duration_ms FROM delivery_attempts WHERE webhook_id = ANY ($1::uuid[])`, [noisyIds])) as Array<{
        error: string;
        duration_ms: number;
      }>;
    const earlyTimeouts = (await noisyAttempts()).filter((a) => /ETIMEOUT/.test(a.error));
    expect(earlyTimeouts).toEqual([]);

    // Then each noisy delivery fails its attempt, within bounds, and waits for its retry: the lookups that had a slot
    // time out (c-ares), those that waited for one past DELIVERY_DNS_QUEUE_WAIT_MS fail fast.
    const attempts = await eventually(
      async () => {
        const rows = await noisyAttempts();
        return rows.length >= NOISY ? rows : undefined;
      },
      30_000,
      'every noisy delivery to record its attempt',
    );
    const timedOut = attempts.filter((a) => /^DNS lookup of h\d+\.example\.invalid failed \(ETIMEOUT\)$/.test(a.error));
    const busy = attempts.filter((a) => /^no DNS lookup slot within 1000 ms/.test(a.error));
    expect(timedOut.length + busy.length).toBe(NOISY);
    expect(timedOut.length).toBeGreaterThanOrEqual(256);
    expect(busy.length).toBeGreaterThan(0);
    // c-ares's own timeout ended them (the message says so), well before the request's 30 s.
    for (const a of timedOut) expect(a.duration_ms).toBeLessThan(20_000);
    for (const a of busy) expect(a.duration_ms).toBeLessThan(2500);
    const byStatus: unknown = await db.query(`SELECT status, count(*)::int AS n FROM deliveries WHERE webhook_id = ANY ($1::uuid[]) GROUP BY status`, [
      noisyIds,
    ]);
    expect(byStatus).toEqual([{ status: 'pending', n: NOISY }]);
  }, 120_000);
});
