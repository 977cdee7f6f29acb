import { Logger } from '@nestjs/common';
import type { DeliveryQueue } from './delivery-queue';
import { LeaseReaper } from './lease-reaper';

describe('LeaseReaper', () => {
  beforeAll(() => jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());

  const harness = () => {
    const queue = { reapExpiredLeases: jest.fn(async () => 2), pruneIdempotencyKeys: jest.fn(async () => 0) };
    return { queue, reaper: new LeaseReaper({ reaperMs: 30, idempotencyTtlHours: 24 }, queue as unknown as DeliveryQueue) };
  };

  it('requeues expired leases and prunes expired Idempotency-Keys, every interval after the previous run', async () => {
    const { queue, reaper } = harness();
    reaper.start();
    await new Promise((r) => setTimeout(r, 100));
    await reaper.stop();
    const runs = queue.reapExpiredLeases.mock.calls.length;
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(runs).toBeLessThanOrEqual(4);
    expect(queue.pruneIdempotencyKeys.mock.calls).toEqual(Array.from({ length: runs }, () => [24]));
    await new Promise((r) => setTimeout(r, 60));
    expect(queue.reapExpiredLeases).toHaveBeenCalledTimes(runs); // stopped
  });

  it('a failed run is logged and the schedule goes on', async () => {
    const { queue, reaper } = harness();
    queue.reapExpiredLeases.mockRejectedValueOnce(new Error('connection refused'));
    reaper.start();
    await new Promise((r) => setTimeout(r, 50));
    await reaper.stop();
    expect(queue.reapExpiredLeases.mock.calls.length).toBeGreaterThanOrEqual(2);
    expect(queue.pruneIdempotencyKeys).toHaveBeenCalled();
  });
});
