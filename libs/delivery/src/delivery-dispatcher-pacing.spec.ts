import type { AttemptRecorder } from './attempt-recorder';
import { DeliveryDispatcher } from './delivery-dispatcher';
import { DeliveryMetrics } from './delivery-metrics';
import type { AttemptOutcome, ClaimedDelivery, DeliveryQueue } from './delivery-queue';
import { DeliverySlots } from './delivery-slots';
import type { DeliveryWorkerSettings } from './delivery-worker.settings';
import type { SendRateDecision, SendRateLimiter } from './send-rate-limiter';
import { type OutgoingRequest, type SendResult, WebhookSender } from './webhook-sender';
import { waitFor } from '../../../test/support/wait-for';
import { MetricsService } from '@app/observability';

const settings = {
  maxInFlight: 8,
  maxPerWebhook: 8,
  maxRateWaiting: 4,
  timeoutMs: 1000,
  retrySchedule: [0, 5000],
  strict: false,
  allowedCidrs: [],
  dns: { servers: [], timeoutMs: 1000, tries: 2, maxConcurrent: 8, queueWaitMs: 100, cacheSize: 10, negativeTtlMs: 1000 },
} as unknown as DeliveryWorkerSettings;

const claimed = (id: string, webhookId: string, rate: number | null): ClaimedDelivery => ({
  id,
  webhook_id: webhookId,
  event_type: 'webhook.test',
  payload: '{}',
  created_at: new Date(),
  attempts: 1,
  retry_base: 0,
  lease_token: `lease-${id}`,
  url: `http://receiver.test/${id}`,
  headers: {},
  secret: 'whsec_AAAAAAAA',
  previous_secret: null,
  previous_secret_expires_at: null,
  rate_limit_per_second: rate,
});

const ok: SendResult = { ok: true, statusCode: 200, responseBody: '', error: null, durationMs: 1, startedAt: new Date() };

function harness(decide: (webhookId: string, maxWaitMs: number) => SendRateDecision) {
  const sent: Array<{ req: OutgoingRequest; at: number }> = [];
  jest.spyOn(WebhookSender.prototype, 'send').mockImplementation(async (req) => (sent.push({ req, at: performance.now() }), ok));
  const slots = new DeliverySlots(settings);
  const recorded: AttemptOutcome[] = [];
  const recorder = { record: (o: AttemptOutcome) => recorded.push(o) } as unknown as AttemptRecorder;
  const asked: Array<{ webhookId: string; rate: number; maxWaitMs: number }> = [];
  const limiter = {
    reserve: (webhookId: string, rate: number, maxWaitMs: number) => (
      asked.push({ webhookId, rate, maxWaitMs }),
      Promise.resolve(decide(webhookId, maxWaitMs))
    ),
  } as unknown as SendRateLimiter;
  const requeued: Array<{ id: string; token: string; delayMs: number }> = [];
  const queue = { requeue: (id: string, token: string, delayMs: number) => (requeued.push({ id, token, delayMs }), Promise.resolve(true)) } as Pick<
    DeliveryQueue,
    'requeue'
  >;
  const metrics = new DeliveryMetrics(new MetricsService());
  const dispatcher = new DeliveryDispatcher(settings, slots, recorder, metrics, limiter, queue);
  return { dispatcher, slots, sent, recorded, asked, requeued, metrics };
}

const count = async (m: DeliveryMetrics, outcome: string) => (await m.rateLimited.get()).values.find((v) => v.labels.outcome === outcome)?.value;

describe('DeliveryDispatcher with a send rate', () => {
  afterEach(() => jest.restoreAllMocks());

  it('a paced webhook with no slot free does not hold back others: requeued without an attempt, slot freed, claims skip it', async () => {
    const h = harness((webhookId) => (webhookId === 'slow' ? { admitted: false, retryInMs: 700 } : { admitted: true, slotMs: Date.now(), waitMs: 0 }));
    for (let i = 0; i < 4; i += 1) h.dispatcher.dispatch(claimed(`s${i}`, 'slow', 1));
    h.dispatcher.dispatch(claimed('f1', 'fast', null));
    await h.slots.drained();
    // The unpaced webhook never asked the limiter and was sent; the paced one was not sent and nothing was recorded.
    expect(h.asked.every((a) => a.webhookId === 'slow' && a.rate === 1)).toBe(true);
    expect(h.sent.map((s) => s.req.url)).toEqual(['http://receiver.test/f1']);
    expect(h.recorded.map((o) => o.id)).toEqual(['f1']);
    // Back in the queue under its own lease, due once its block lifts (the retry time plus half the wait window).
    expect(h.requeued).toHaveLength(4);
    expect(h.requeued[0]).toEqual({ id: 's0', token: 'lease-s0', delayMs: 1200 });
    expect(h.slots.inFlight).toBe(0);
    expect(h.slots.totalWaiting).toBe(0);
    expect(h.slots.blocked).toEqual(['slow']);
    expect(await count(h.metrics, 'requeued')).toBe(4);
    h.slots.wakeAll();
  });

  it('waits in process for a slot within reach, signs the slot time, and sends others meanwhile', async () => {
    const slotMs = Date.now() + 300;
    const h = harness((webhookId) => (webhookId === 'slow' ? { admitted: true, slotMs, waitMs: 300 } : { admitted: true, slotMs: Date.now(), waitMs: 0 }));
    const t0 = performance.now();
    h.dispatcher.dispatch(claimed('s1', 'slow', 5));
    h.dispatcher.dispatch(claimed('f1', 'fast', null));
    await waitFor(() => h.sent.length > 0 && h.slots.waiting.get('slow') === 1, { timeoutMs: 2000, intervalMs: 2, what: 'f1 sent while s1 waits' });
    // Still before s1's slot (it is checked below to go at 300 ms or later): only f1 has gone.
    expect(h.sent.map((s) => s.req.url)).toEqual(['http://receiver.test/f1']);
    expect(h.slots.waiting.get('slow')).toBe(1);
    await h.slots.drained();
    const slow = h.sent.find((s) => s.req.url.endsWith('s1'))!;
    expect(slow.at - t0).toBeGreaterThanOrEqual(290);
    expect(slow.req.headers['webhook-timestamp']).toBe(String(Math.floor(slotMs / 1000)));
    expect(h.recorded.map((o) => o.id).sort()).toEqual(['f1', 's1']);
    expect(await count(h.metrics, 'waited')).toBe(1);
  });

  it('past DELIVERY_MAX_IN_FLIGHT / 2 deliveries waiting, only a slot free right now is taken', async () => {
    const h = harness(() => ({ admitted: true, slotMs: Date.now() + 200, waitMs: 200 }));
    for (let i = 0; i < 6; i += 1) h.dispatcher.dispatch(claimed(`s${i}`, `slow${i}`, 1));
    await h.slots.drained();
    expect(h.asked.map((a) => a.maxWaitMs)).toEqual([1000, 1000, 1000, 1000, 0, 0]);
  });

  it('a limiter that throws sends nothing unpaced: the delivery goes back to the queue', async () => {
    const h = harness(() => {
      throw new Error('unexpected');
    });
    h.dispatcher.dispatch(claimed('s1', 'slow', 5));
    await h.slots.drained();
    expect(h.sent).toEqual([]);
    expect(h.requeued.map((r) => r.id)).toEqual(['s1']);
    h.slots.wakeAll();
  });
});
