import { Logger } from '@nestjs/common';
import { MetricsService } from '@app/observability';
import { DeliveryMetrics } from './delivery-metrics';
import type { DeliveryQueue } from './delivery-queue';
import { LeaseReaper, PAUSED_EXPIRE_BATCH } from './lease-reaper';
import { letTimePass, waitFor } from '../../../test/support/wait-for';

describe('LeaseReaper', () => {
  beforeAll(() => jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());

  const harness = (pausedExpireMs = 0) => {
    const queue = { reapExpiredLeases: jest.fn(async () => 2), pruneIdempotencyKeys: jest.fn(async () => 0), expirePaused: jest.fn(async () => 3) };
    const service = new MetricsService();
    const settings = { reaperMs: 30, idempotencyTtlHours: 24, pausedExpireMs };
    return { queue, service, reaper: new LeaseReaper(settings, queue as unknown as DeliveryQueue, new DeliveryMetrics(service)) };
  };

  it('requeues expired leases and prunes expired Idempotency-Keys, every interval after the previous run', async () => {
    const { queue, reaper } = harness();
    const startedAt: number[] = [];
    const finishedAt: number[] = [];
    queue.reapExpiredLeases.mockImplementation(async () => {
      startedAt.push(performance.now());
      await Promise.resolve();
      finishedAt.push(performance.now());
      return 2;
    });
    reaper.start();
    await waitFor(() => queue.reapExpiredLeases.mock.calls.length >= 3, { timeoutMs: 5000, intervalMs: 5, what: 'three reaper runs' });
    await reaper.stop();
    const runs = queue.reapExpiredLeases.mock.calls.length;
    expect(queue.pruneIdempotencyKeys.mock.calls).toEqual(Array.from({ length: runs }, () => [24]));
    // Every interval (30 ms) after the previous run, never sooner, however loaded the machine (1 ms: timer rounding).
    for (let i = 1; i < runs; i += 1) expect(startedAt[i] - finishedAt[i - 1]).toBeGreaterThanOrEqual(30 - 1);
    await letTimePass(60, 'two intervals after stop(): a reaper still scheduled would run again');
    expect(queue.reapExpiredLeases).toHaveBeenCalledTimes(runs); // stopped
  });

  it('a failed run is logged and the schedule goes on', async () => {
    const { queue, reaper } = harness();
    queue.reapExpiredLeases.mockRejectedValueOnce(new Error('connection refused'));
    reaper.start();
    await waitFor(() => queue.reapExpiredLeases.mock.calls.length >= 2, { timeoutMs: 5000, intervalMs: 5, what: 'a run after the failed one' });
    await reaper.stop();
    expect(queue.reapExpiredLeases.mock.calls.length).toBeGreaterThanOrEqual(2);
    expect(queue.pruneIdempotencyKeys).toHaveBeenCalled();
  });

  it('fails paused deliveries past DELIVERY_PAUSED_EXPIRE_HOURS in bounded batches and counts them', async () => {
    const { queue, service, reaper } = harness(1800);
    await reaper.reap();
    await reaper.reap();
    expect(queue.expirePaused.mock.calls).toEqual([
      [1800, PAUSED_EXPIRE_BATCH],
      [1800, PAUSED_EXPIRE_BATCH],
    ]);
    expect(await service.exposition()).toContain('signalgate_deliveries_expired_total 6');
  });

  it('DELIVERY_PAUSED_EXPIRE_HOURS=0 never expires paused deliveries', async () => {
    const { queue, service, reaper } = harness(0);
    await reaper.reap();
    expect(queue.reapExpiredLeases).toHaveBeenCalled();
    expect(queue.expirePaused).not.toHaveBeenCalled();
    expect(await service.exposition()).toContain('signalgate_deliveries_expired_total 0');
  });
});
