import { MetricsService } from '@app/observability';
import { DeliveryMetrics } from './delivery-metrics';
import type { DeliveryPool } from './delivery-pool';
import type { DeliveryQueue } from './delivery-queue';
import { DeliveryQueueSampler, QUEUE_DEPTH_CAP } from './delivery-queue-sampler';
import type { DeliverySlots } from './delivery-slots';
import { waitFor } from '../../../test/support/wait-for';

function sampler(stats: () => Promise<{ pending: number; paused: number; inFlight: number; oldestDueAgeSeconds: number }>) {
  const service = new MetricsService();
  const metrics = new DeliveryMetrics(service);
  const queue = { stats: jest.fn(stats) };
  const slots = { inFlight: 2 } as unknown as DeliverySlots;
  const pool = { stats: () => ({ total: 3, idle: 1, waiting: 0, max: 5 }) } as unknown as DeliveryPool;
  return { service, queue, s: new DeliveryQueueSampler(metrics, queue as unknown as DeliveryQueue, slots, pool) };
}

describe('DeliveryQueueSampler', () => {
  it('samples the queue with the depth cap into the gauges; in flight and the pool are read at scrape time', async () => {
    const { service, queue, s } = sampler(async () => ({ pending: 12, paused: 7, inFlight: 3, oldestDueAgeSeconds: 42.5 }));
    s.start();
    // The first sample runs at once; stop() then awaits the one in progress.
    await waitFor(() => queue.stats.mock.calls.length >= 1, { timeoutMs: 2000, intervalMs: 2, what: 'the first queue sample' });
    await s.stop();
    expect(queue.stats).toHaveBeenCalledWith(QUEUE_DEPTH_CAP);
    const text = await service.exposition();
    expect(text).toContain('signalgate_delivery_queue_depth{state="pending"} 12');
    expect(text).toContain('signalgate_delivery_queue_depth{state="paused"} 7');
    expect(text).toContain('signalgate_delivery_queue_depth{state="in_flight"} 3');
    expect(text).toContain('signalgate_delivery_oldest_due_age_seconds 42.5');
    expect(text).toContain('signalgate_deliveries_in_flight 2');
    // Stopped: the pool is no longer reported.
    expect(text).not.toContain('pool="delivery"');
  });

  it('reports the workers pool while running, and a failed sample neither throws nor changes the gauges', async () => {
    let fail = false;
    const { service, queue, s } = sampler(async () => {
      if (fail) throw new Error('connection terminated');
      return { pending: 5, paused: 0, inFlight: 0, oldestDueAgeSeconds: 0 };
    });
    await s.sample();
    fail = true;
    await expect(s.sample()).resolves.toBeUndefined();
    s.start();
    // A sample after start() failed (fail is set): awaited, then the gauges are read.
    await waitFor(() => queue.stats.mock.calls.length >= 3, { timeoutMs: 2000, intervalMs: 2, what: 'a sample after start()' });
    await Promise.allSettled(queue.stats.mock.results.map((r) => r.value as Promise<unknown>));
    const text = await service.exposition();
    await s.stop();
    expect(text).toContain('signalgate_delivery_queue_depth{state="pending"} 5');
    expect(text).toContain('signalgate_db_pool_connections{pool="delivery",state="total"} 3');
    expect(text).toContain('signalgate_db_pool_max{pool="delivery"} 5');
  });
});
