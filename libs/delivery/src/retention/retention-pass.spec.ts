import { MAX_BATCHES_PER_KIND, type PassStore, runRetentionPass } from './retention-pass';
import type { DeliveryBatch, DeliveryCursor, FinishedStatus } from './retention-store';

const cutoffs = { succeeded: new Date('2026-11-01T00:00:00Z'), failed: new Date('2026-09-01T00:00:00Z'), alerts: new Date('2026-09-01T00:00:00Z') };

/** A store whose batches come from scripts: per kind, the batches it will answer, in order. */
function scripted(script: { succeeded?: DeliveryBatch[]; failed?: DeliveryBatch[]; alerts?: Array<{ scanned: number; deleted: number }> }, locked = true) {
  const calls: string[] = [];
  const cursors: Array<DeliveryCursor | null> = [];
  const queues = { succeeded: [...(script.succeeded ?? [])], failed: [...(script.failed ?? [])], alerts: [...(script.alerts ?? [])] };
  const store: PassStore & { calls: string[]; cursors: typeof cursors } = {
    calls,
    cursors,
    tryLock: jest.fn(async () => locked),
    unlock: jest.fn(async () => undefined),
    inTransaction: jest.fn(async <T>(timeoutMs: number, work: () => Promise<T>) => {
      calls.push(`tx ${timeoutMs}`);
      return work();
    }),
    deleteDeliveries: jest.fn(async (status: FinishedStatus, cutoff: Date, cursor: DeliveryCursor | null, limit: number) => {
      calls.push(`${status} ${cutoff.toISOString()} ${limit}`);
      cursors.push(cursor);
      return queues[status].shift() ?? { scanned: 0, deliveries: 0, attempts: 0, cursor: null };
    }),
    deleteAlerts: jest.fn(async (cutoff: Date, limit: number) => {
      calls.push(`alerts ${cutoff.toISOString()} ${limit}`);
      return queues.alerts.shift() ?? { scanned: 0, deleted: 0 };
    }),
  };
  return store;
}

const batch = (scanned: number, deliveries: number, attempts: number, at: string | null): DeliveryBatch => ({
  scanned,
  deliveries,
  attempts,
  cursor: at ? { completedAt: at, id: `id-${at}` } : null,
});

describe('runRetentionPass', () => {
  const settings = { batchSize: 2, statementTimeoutMs: 1234 };

  it('does nothing, and does not unlock, when another process holds the lock', async () => {
    const store = scripted({}, false);
    await expect(runRetentionPass(store, settings, cutoffs)).resolves.toEqual({ ran: false, reason: 'locked' });
    expect(store.deleteDeliveries).not.toHaveBeenCalled();
    expect(store.deleteAlerts).not.toHaveBeenCalled();
    expect(store.unlock).not.toHaveBeenCalled();
  });

  it('walks each kind in batches until a short batch, carrying the cursor, then alerts; sums and unlocks', async () => {
    const store = scripted({
      succeeded: [batch(2, 2, 5, 't1'), batch(2, 1, 2, 't2'), batch(1, 1, 1, 't3')],
      failed: [batch(0, 0, 0, null)],
      alerts: [
        { scanned: 2, deleted: 2 },
        { scanned: 1, deleted: 1 },
      ],
    });
    const o = await runRetentionPass(store, settings, cutoffs);
    expect(o).toEqual({ ran: true, stopped: false, succeeded: 4, failed: 0, attempts: 8, alerts: 3, batches: 6 });
    // A batch that kept a row (health still reads it) does not end the walk: only a short scan does.
    expect(store.cursors).toEqual([null, { completedAt: 't1', id: 'id-t1' }, { completedAt: 't2', id: 'id-t2' }, null]);
    expect(store.calls.filter((c) => c.startsWith('tx'))).toEqual(Array(6).fill('tx 1234'));
    expect(store.calls.filter((c) => !c.startsWith('tx'))).toEqual([
      'succeeded 2026-11-01T00:00:00.000Z 2',
      'succeeded 2026-11-01T00:00:00.000Z 2',
      'succeeded 2026-11-01T00:00:00.000Z 2',
      'failed 2026-09-01T00:00:00.000Z 2',
      'alerts 2026-09-01T00:00:00.000Z 2',
      'alerts 2026-09-01T00:00:00.000Z 2',
    ]);
    expect(store.unlock).toHaveBeenCalledTimes(1);
  });

  it('bounds a run: at most MAX_BATCHES_PER_KIND batches per kind', async () => {
    const full = Array.from({ length: MAX_BATCHES_PER_KIND + 5 }, (_, i) => batch(2, 2, 0, `t${i}`));
    const store = scripted({ succeeded: full });
    const o = await runRetentionPass(store, settings, cutoffs);
    expect(o.ran && o.succeeded).toBe(MAX_BATCHES_PER_KIND * 2);
  });

  it('stops between batches when asked (shutdown), still unlocking', async () => {
    const store = scripted({ succeeded: [batch(2, 2, 0, 't1'), batch(2, 2, 0, 't2')] });
    let n = 0;
    const o = await runRetentionPass(store, settings, cutoffs, () => ++n > 1);
    expect(o).toMatchObject({ ran: true, stopped: true, succeeded: 2, batches: 1 });
    expect(store.deleteAlerts).not.toHaveBeenCalled();
    expect(store.unlock).toHaveBeenCalledTimes(1);
  });

  it('unlocks when a batch fails (statement timeout) and reports the error', async () => {
    const store = scripted({});
    (store.deleteDeliveries as jest.Mock).mockRejectedValueOnce(new Error('canceling statement due to statement timeout'));
    await expect(runRetentionPass(store, settings, cutoffs)).rejects.toThrow('statement timeout');
    expect(store.unlock).toHaveBeenCalledTimes(1);
  });
});
