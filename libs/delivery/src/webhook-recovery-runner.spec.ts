import { DeliveryMetrics } from './delivery-metrics';
import type { RecoveryStep, WebhookRecoveryQueue } from './webhook-recovery-queue';
import { DEFAULT_RECOVERY_SETTINGS, WebhookRecoveryRunner } from './webhook-recovery-runner';
import { MetricsService } from '@app/observability';

type QueueStub = jest.Mocked<Pick<WebhookRecoveryQueue, 'lease' | 'step' | 'completeIfWebhookDisabled' | 'release'>>;

function setup(steps: Record<string, RecoveryStep | undefined>, leased = Object.keys(steps)) {
  const queue: QueueStub = {
    lease: jest.fn().mockResolvedValue(leased),
    step: jest.fn((id: string, ..._rest: unknown[]) => Promise.resolve(steps[id])) as unknown as QueueStub['step'],
    completeIfWebhookDisabled: jest.fn().mockResolvedValue(true),
    release: jest.fn().mockResolvedValue(undefined),
  };
  const metrics = new DeliveryMetrics(new MetricsService());
  const settings = { ...DEFAULT_RECOVERY_SETTINGS, intervalMs: 60_000 };
  const runner = new WebhookRecoveryRunner(settings, queue as unknown as WebhookRecoveryQueue, metrics);
  return { queue, metrics, runner, settings };
}

describe('WebhookRecoveryRunner', () => {
  it('leases with its own token, then moves one bounded batch per leased recovery, fenced by that token', async () => {
    const { queue, runner, settings } = setup({ a: { moved: 500, room: 500, status: 'running' }, b: { moved: 3, room: 500, status: 'completed' } });
    runner.start();
    await runner.stop();
    expect(queue.lease).toHaveBeenCalledWith(runner.token, settings.leaseMs, settings.maxLeased);
    expect(queue.step.mock.calls).toEqual([
      ['a', runner.token, settings.batch, settings.backlogBound, settings.leaseMs],
      ['b', runner.token, settings.batch, settings.backlogBound, settings.leaseMs],
    ]);
    expect(queue.completeIfWebhookDisabled).not.toHaveBeenCalled();
  });

  it('counts what it requeued', async () => {
    const { metrics, runner } = setup({ a: { moved: 7, room: 10, status: 'completed' }, b: { moved: 0, room: 0, status: 'running' } });
    runner.start();
    await runner.stop();
    expect((await metrics.recovered.get()).values[0].value).toBe(7);
  });

  it('a step that finds nothing to work (lease lost, webhook disabled) ends the recovery only if the webhook is disabled', async () => {
    const { queue, runner } = setup({ gone: undefined });
    runner.start();
    await runner.stop();
    expect(queue.completeIfWebhookDisabled).toHaveBeenCalledWith('gone', runner.token);
  });

  it('gives its leases up on stop, and a failing round does not stop the schedule', async () => {
    const { queue, runner } = setup({});
    queue.lease.mockRejectedValueOnce(new Error('connection refused'));
    await runner.runOnce();
    runner.start();
    await runner.stop();
    expect(queue.lease).toHaveBeenCalledTimes(2);
    expect(queue.release).toHaveBeenCalledWith(runner.token);
  });

  it('the batch and the backlog bound keep a statement, and the queue it feeds, bounded', () => {
    expect(DEFAULT_RECOVERY_SETTINGS.batch).toBeLessThanOrEqual(1000);
    expect(DEFAULT_RECOVERY_SETTINGS.backlogBound).toBeLessThanOrEqual(1000);
    expect(DEFAULT_RECOVERY_SETTINGS.leaseMs).toBeGreaterThan(DEFAULT_RECOVERY_SETTINGS.intervalMs * 5);
  });
});
