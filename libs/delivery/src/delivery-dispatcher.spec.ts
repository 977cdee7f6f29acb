import type { AttemptRecorder } from './attempt-recorder';
import { DeliveryDispatcher } from './delivery-dispatcher';
import { DeliveryMetrics } from './delivery-metrics';
import type { AttemptOutcome, ClaimedDelivery } from './delivery-queue';
import { DeliverySlots } from './delivery-slots';
import type { DeliveryWorkerSettings } from './delivery-worker.settings';
import { type OutgoingRequest, type SendResult, WebhookSender } from './webhook-sender';
import { signPayload } from './webhook-signature';
import { MetricsService } from '@app/observability';

const settings = {
  maxInFlight: 4,
  maxPerWebhook: 4,
  timeoutMs: 1000,
  retrySchedule: [0, 5000, 60_000],
  strict: false,
  allowedCidrs: [],
  dns: { servers: [], timeoutMs: 1000, tries: 2, maxConcurrent: 8, queueWaitMs: 100, cacheSize: 10, negativeTtlMs: 1000 },
} as unknown as DeliveryWorkerSettings;

const claimed = (over: Partial<ClaimedDelivery> = {}): ClaimedDelivery => ({
  id: 'd1',
  webhook_id: 'w1',
  event_type: 'webhook.test',
  payload: '{"type":"webhook.test"}',
  created_at: new Date(),
  attempts: 1,
  retry_base: 0,
  lease_token: 'lease-1',
  url: 'http://receiver.test/hook',
  headers: { 'x-team': 'ops' },
  secret: 'whsec_AAAAAAAA',
  previous_secret: null,
  previous_secret_expires_at: null,
  rate_limit_per_second: null,
  ...over,
});

const answer = (statusCode: number | null, error: string | null = null): SendResult => ({
  ok: statusCode !== null && statusCode < 300,
  statusCode,
  responseBody: statusCode === null ? null : `status ${statusCode}`,
  error,
  durationMs: 7,
  startedAt: new Date(),
});

function harness(send: (req: OutgoingRequest) => Promise<SendResult>) {
  jest.spyOn(WebhookSender.prototype, 'send').mockImplementation(send);
  const slots = new DeliverySlots(settings);
  const recorded: Array<{ outcome: AttemptOutcome; webhookId: string; inFlightThen: number }> = [];
  const recorder = {
    record: (outcome: AttemptOutcome, webhookId: string) => recorded.push({ outcome, webhookId, inFlightThen: slots.inFlight }),
  } as unknown as AttemptRecorder;
  // No delivery here has a send rate: the limiter and the requeue must never be asked.
  const limiter = { reserve: jest.fn(() => Promise.reject(new Error('not paced'))) };
  const queue = { requeue: jest.fn(() => Promise.reject(new Error('not paced'))) };
  const dispatcher = new DeliveryDispatcher(settings, slots, recorder, new DeliveryMetrics(new MetricsService()), limiter, queue);
  const settled = () => slots.drained();
  return { dispatcher, slots, recorded, settled };
}

describe('DeliveryDispatcher', () => {
  afterEach(() => jest.restoreAllMocks());

  it('holds a slot while sending, signs the request, and records a success under its lease', async () => {
    const sent: OutgoingRequest[] = [];
    const h = harness(async (req) => (sent.push(req), answer(200)));
    h.dispatcher.dispatch(claimed());
    expect(h.slots.inFlight).toBe(1);
    await h.settled();
    expect(h.slots.inFlight).toBe(0);
    expect(sent[0].headers).toMatchObject({ 'x-team': 'ops', 'content-type': 'application/json', 'webhook-id': 'd1' });
    const ts = Number(sent[0].headers['webhook-timestamp']);
    expect(sent[0].headers['webhook-signature']).toBe(signPayload('whsec_AAAAAAAA', 'd1', ts, '{"type":"webhook.test"}'));
    expect(h.recorded).toEqual([
      {
        webhookId: 'w1',
        inFlightThen: 1,
        outcome: expect.objectContaining({ id: 'd1', leaseToken: 'lease-1', success: true, statusCode: 200, retryInMs: null }),
      },
    ]);
  });

  it('signs with the previous secret too while the rotation overlap lasts', async () => {
    const sent: OutgoingRequest[] = [];
    const h = harness(async (req) => (sent.push(req), answer(200)));
    h.dispatcher.dispatch(claimed({ previous_secret: 'whsec_BBBBBBBB', previous_secret_expires_at: new Date(Date.now() + 60_000) }));
    h.dispatcher.dispatch(claimed({ id: 'd2', previous_secret: 'whsec_BBBBBBBB', previous_secret_expires_at: new Date(Date.now() - 1) }));
    await h.settled();
    expect(sent.map((r) => r.headers['webhook-signature'].split(' ').length)).toEqual([2, 1]);
  });

  it('schedules a retry for a failure, counting attempts since the last manual retry; none for 410 or the last attempt', async () => {
    const h = harness(async (req) => answer(req.url.endsWith('gone') ? 410 : 503, 'receiver answered'));
    h.dispatcher.dispatch(claimed({ id: 'a', attempts: 3, retry_base: 2 })); // 1 attempt in this run: 5 s ± 20 %
    h.dispatcher.dispatch(claimed({ id: 'b', attempts: 3, retry_base: 0 })); // the schedule is used up
    h.dispatcher.dispatch(claimed({ id: 'c', url: 'http://receiver.test/gone' }));
    await h.settled();
    const retry = Object.fromEntries(h.recorded.map((r) => [r.outcome.id, r.outcome.retryInMs]));
    expect(retry.a).toBeGreaterThanOrEqual(4000);
    expect(retry.a).toBeLessThanOrEqual(6000);
    expect(retry.b).toBeNull();
    expect(retry.c).toBeNull();
  });

  it('a sender that throws becomes a recorded failed attempt (masked), and the slot is given back', async () => {
    const h = harness(() => {
      throw new Error('boom at postgresql://user:hunter2@db:5432/x');
    });
    h.dispatcher.dispatch(claimed());
    await h.settled();
    expect(h.slots.inFlight).toBe(0);
    expect(h.recorded[0].outcome).toMatchObject({ success: false, statusCode: null, retryInMs: expect.any(Number) });
    expect(h.recorded[0].outcome.error).toContain('postgresql://user:***@db:5432/x');
    expect(h.recorded[0].outcome.error).not.toContain('hunter2');
  });
});
