import { type RetentionCutoffs, type RetentionSettings } from './retention-settings';
import type { DeliveryBatch, DeliveryCursor, FinishedStatus, RetentionStore } from './retention-store';

/** A pass stops after this many batches per kind (the rest waits for the next run): no run is unbounded. */
export const MAX_BATCHES_PER_KIND = 2000;

export interface RetentionTotals {
  succeeded: number;
  failed: number;
  attempts: number;
  alerts: number;
  batches: number;
}

export type PassOutcome = { ran: false; reason: 'locked' } | ({ ran: true; stopped: boolean } & RetentionTotals);

/** The store's statements a pass runs (a structural type, so unit specs can script them). */
export type PassStore = Pick<RetentionStore, 'tryLock' | 'unlock' | 'inTransaction' | 'deleteDeliveries' | 'deleteAlerts'>;

/**
 * One retention pass: deliveries (succeeded, then failed; attempts with them), then alerts, each in batches of
 * `batchSize`, each batch its own transaction. Only under the advisory lock: if another process holds it, nothing
 * runs. Alerts go last so that those whose deliveries this pass removed are taken in the same pass.
 * `shouldStop` is consulted between batches (shutdown).
 */
export async function runRetentionPass(
  store: PassStore,
  settings: Pick<RetentionSettings, 'batchSize' | 'statementTimeoutMs'>,
  cutoffs: RetentionCutoffs,
  shouldStop: () => boolean = () => false,
): Promise<PassOutcome> {
  if (!(await store.tryLock())) return { ran: false, reason: 'locked' };
  const totals: RetentionTotals = { succeeded: 0, failed: 0, attempts: 0, alerts: 0, batches: 0 };
  let stopped = false;
  try {
    for (const status of ['succeeded', 'failed'] as FinishedStatus[]) {
      let cursor: DeliveryCursor | null = null;
      for (let i = 0; i < MAX_BATCHES_PER_KIND; i++) {
        if ((stopped = shouldStop())) return { ran: true, stopped, ...totals };
        const after: DeliveryCursor | null = cursor;
        const b: DeliveryBatch = await store.inTransaction(settings.statementTimeoutMs, () =>
          store.deleteDeliveries(status, cutoffs[status], after, settings.batchSize),
        );
        totals.batches++;
        totals[status] += b.deliveries;
        totals.attempts += b.attempts;
        if (b.scanned < settings.batchSize || !b.cursor) break;
        cursor = b.cursor;
      }
    }
    for (let i = 0; i < MAX_BATCHES_PER_KIND; i++) {
      if ((stopped = shouldStop())) break;
      const b = await store.inTransaction(settings.statementTimeoutMs, () => store.deleteAlerts(cutoffs.alerts, settings.batchSize));
      totals.batches++;
      totals.alerts += b.deleted;
      if (b.scanned < settings.batchSize) break;
    }
    return { ran: true, stopped, ...totals };
  } finally {
    await store.unlock();
  }
}
