import { Logger } from '@nestjs/common';
import type { RecordedAttempt } from './attempt-recorder';
import { MetricsService } from '@app/observability';
import type { AttemptOutcome } from './delivery-queue';
import { DeliveryMetrics } from './delivery-metrics';
import { WebhookAutoDisable } from './webhook-auto-disable';

const HOUR = 3_600_000;
let seq = 0;
const attempt = (webhookId: string, over: Partial<AttemptOutcome> = {}): RecordedAttempt => ({
  webhookId,
  outcome: {
    id: `d${(seq += 1)}`,
    leaseToken: 'lease',
    success: false,
    statusCode: 500,
    error: 'receiver answered 500',
    responseBody: null,
    durationMs: 1,
    startedAt: new Date(),
    retryInMs: 5000,
    ...over,
  },
});

function harness(failingSince: (w: string) => Date | null = () => null) {
  const queue = {
    disableWebhook: jest.fn(async () => undefined),
    failingSince: jest.fn(async (w: string) => failingSince(w)),
  };
  const settings = { disableAfterMs: 2 * HOUR, disableCheckIntervalMs: 30_000 };
  const cache = { invalidate: jest.fn(async (_namespace?: string, _key?: string) => ({ l1: 0, l2: 0 })) };
  return { queue, cache, auto: new WebhookAutoDisable(settings, queue, new DeliveryMetrics(new MetricsService()), cache) };
}

describe('WebhookAutoDisable', () => {
  let now = 1_000_000_000_000;
  beforeAll(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterAll(() => jest.restoreAllMocks());

  it('disables a webhook at once when its receiver answers 410 Gone (once per batch), without measuring its streak', async () => {
    const { queue, cache, auto } = harness();
    await auto.afterRecorded([attempt('w1', { statusCode: 410 }), attempt('w1', { statusCode: 410 }), attempt('w1')]);
    expect(queue.disableWebhook.mock.calls).toEqual([['w1', 'receiver answered 410 Gone']]);
    expect(queue.failingSince).not.toHaveBeenCalled();
    // Every replica's cache drops the webhook, its page and the health view.
    expect(cache.invalidate.mock.calls).toEqual([['webhook', 'w1'], ['webhooks-page'], ['health']]);
  });

  it('ignores successes', async () => {
    const { queue, auto } = harness();
    await auto.afterRecorded([attempt('w1', { success: true, statusCode: 200 })]);
    expect(queue.disableWebhook).not.toHaveBeenCalled();
    expect(queue.failingSince).not.toHaveBeenCalled();
  });

  it('measures a failing webhook at most once per check interval, each webhook on its own clock', async () => {
    const { queue, auto } = harness(() => new Date(now - HOUR));
    await auto.afterRecorded([attempt('w1'), attempt('w1')]);
    now += 1000;
    await auto.afterRecorded([attempt('w1'), attempt('w2')]);
    now += 10_000;
    await auto.afterRecorded([attempt('w1'), attempt('w2')]);
    expect(queue.failingSince.mock.calls).toEqual([['w1'], ['w2']]);
    now += 20_000; // 31 s after w1's first check, 30 s after w2's
    await auto.afterRecorded([attempt('w1'), attempt('w2')]);
    expect(queue.failingSince.mock.calls).toEqual([['w1'], ['w2'], ['w1'], ['w2']]);
    expect(queue.disableWebhook).not.toHaveBeenCalled();
  });

  it('disables a webhook failing continuously for WEBHOOK_DISABLE_AFTER_HOURS', async () => {
    const { queue, auto } = harness((w) => (w === 'old' ? new Date(now - 2 * HOUR) : new Date(now - 2 * HOUR + 1)));
    await auto.afterRecorded([attempt('old'), attempt('young')]);
    expect(queue.disableWebhook.mock.calls).toEqual([['old', 'failing continuously for 2 h']]);
  });

  it('a repository error is logged, not thrown (the outcomes are already recorded)', async () => {
    const { queue, auto } = harness();
    queue.disableWebhook.mockRejectedValueOnce(new Error('deadlock detected'));
    await expect(auto.afterRecorded([attempt('w1', { statusCode: 410 })])).resolves.toBeUndefined();
  });
});
