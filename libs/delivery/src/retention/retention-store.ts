import type { PoolClient } from 'pg';
import type { RetentionCutoffs } from './retention-settings';

/** pg_try_advisory_lock key of the retention pass (the migration lock is 72_616_001). */
export const RETENTION_LOCK_KEY = 72_616_013;

/** Webhook health reads this many latest attempts per webhook, and retention keeps them: the one definition (apps/api's webhook-health.repository imports it). */
export const HEALTH_ATTEMPT_WINDOW = 100;

export type FinishedStatus = 'succeeded' | 'failed';

/** Where a delivery batch stopped: the last candidate's (completed_at, id), completed_at as PostgreSQL text (µs kept). */
export interface DeliveryCursor {
  completedAt: string;
  id: string;
}

export interface DeliveryBatch {
  /** Candidates looked at (locked); fewer than the limit means the kind is done for this pass. */
  scanned: number;
  deliveries: number;
  attempts: number;
  cursor: DeliveryCursor | null;
}

export interface DueCounts {
  succeeded: number;
  failed: number;
  attempts: number;
  alerts: number;
}

/** The one connection a pass runs on: the advisory lock is a session lock, so it must stay on this connection. */
export type RetentionConnection = Pick<PoolClient, 'query'>;

const START: DeliveryCursor = { completedAt: '-infinity', id: '00000000-0000-0000-0000-000000000000' };

/**
 * The deliveries whose attempts webhook health still reads are kept whatever their age: per webhook, every attempt
 * from the older of its HEALTH_ATTEMPT_WINDOW-th latest attempt and its latest success on (the success window, the
 * last success and the failure streak after it). `webhookIds` is a query yielding the webhook ids to compute it for.
 */
const floorsFor = (webhookIds: string) => `
  SELECT w.webhook_id,
         least(coalesce((SELECT a.id FROM delivery_attempts a WHERE a.webhook_id = w.webhook_id
                         ORDER BY a.id DESC OFFSET ${HEALTH_ATTEMPT_WINDOW - 1} LIMIT 1), 0),
               (SELECT max(b.id) FROM delivery_attempts b WHERE b.webhook_id = w.webhook_id AND b.success)) AS floor
  FROM (${webhookIds}) w`;

/**
 * The retention statements (raw SQL: `FOR UPDATE SKIP LOCKED` batches with data-modifying CTEs are one statement
 * each on purpose). Every batch runs in its own short transaction under SET LOCAL statement_timeout.
 */
export class RetentionStore {
  constructor(private readonly db: RetentionConnection) {}

  async tryLock(): Promise<boolean> {
    const { rows } = await this.db.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [RETENTION_LOCK_KEY]);
    return rows[0]?.locked === true;
  }

  async unlock(): Promise<void> {
    await this.db.query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK_KEY]);
  }

  /** Runs `work` in a transaction whose statements stop after `timeoutMs`; rolls back on any error. */
  async inTransaction<T>(timeoutMs: number, work: () => Promise<T>): Promise<T> {
    await this.db.query('BEGIN');
    try {
      await this.db.query(`SELECT set_config('statement_timeout', $1, true)`, [String(timeoutMs)]);
      const result = await work();
      await this.db.query('COMMIT');
      return result;
    } catch (e) {
      await this.db.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }

  /**
   * Deletes up to `limit` deliveries of `status` that completed before `cutoff`, after `cursor` in (completed_at, id)
   * order, with their attempts; rows locked elsewhere are skipped, rows health still reads are kept.
   */
  async deleteDeliveries(status: FinishedStatus, cutoff: Date, cursor: DeliveryCursor | null, limit: number): Promise<DeliveryBatch> {
    const after = cursor ?? START;
    // Attempts are deleted explicitly (not only by the FK cascade) so they can be counted.
    const { rows } = await this.db.query<{ scanned: number; deliveries: number; attempts: number; last_at: string | null; last_id: string | null }>(
      `WITH cand AS (
         SELECT id, webhook_id, completed_at FROM deliveries
         WHERE status = $1 AND completed_at < $2 AND (completed_at, id) > ($3::timestamptz, $4::uuid)
         ORDER BY completed_at, id
         LIMIT $5
         FOR UPDATE SKIP LOCKED
       ), floors AS (${floorsFor('SELECT DISTINCT webhook_id FROM cand')}
       ), doomed AS (
         SELECT c.id FROM cand c JOIN floors f USING (webhook_id)
         WHERE NOT EXISTS (SELECT 1 FROM delivery_attempts a WHERE a.delivery_id = c.id AND a.id >= f.floor)
       ), att AS (
         DELETE FROM delivery_attempts a USING doomed WHERE a.delivery_id = doomed.id RETURNING 1
       ), del AS (
         DELETE FROM deliveries d USING doomed WHERE d.id = doomed.id RETURNING 1
       ), last AS (
         SELECT completed_at::text AS at, id::text AS id FROM cand ORDER BY completed_at DESC, id DESC LIMIT 1
       )
       SELECT (SELECT count(*) FROM cand)::int AS scanned, (SELECT count(*) FROM del)::int AS deliveries,
              (SELECT count(*) FROM att)::int AS attempts, (SELECT at FROM last) AS last_at, (SELECT id FROM last) AS last_id`,
      [status, cutoff.toISOString(), after.completedAt, after.id, limit],
    );
    const r = rows[0];
    return {
      scanned: r.scanned,
      deliveries: r.deliveries,
      attempts: r.attempts,
      cursor: r.last_at && r.last_id ? { completedAt: r.last_at, id: r.last_id } : null,
    };
  }

  /** Deletes up to `limit` alerts resolved before `cutoff` that no delivery refers to any more. */
  async deleteAlerts(cutoff: Date, limit: number): Promise<{ scanned: number; deleted: number }> {
    const { rows } = await this.db.query<{ scanned: number; deleted: number }>(
      `WITH cand AS (
         SELECT a.id FROM alerts a
         WHERE a.status = 'resolved' AND a.resolved_at < $1
           AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.alert_id = a.id)
         ORDER BY a.resolved_at, a.id
         LIMIT $2
         FOR UPDATE SKIP LOCKED
       ), del AS (DELETE FROM alerts a USING cand WHERE a.id = cand.id RETURNING 1)
       SELECT (SELECT count(*) FROM cand)::int AS scanned, (SELECT count(*) FROM del)::int AS deleted`,
      [cutoff.toISOString(), limit],
    );
    return rows[0];
  }

  /** What a pass would delete now (`cli prune --dry-run`): the same rules, counted, nothing locked or deleted. */
  async countDue(c: RetentionCutoffs): Promise<DueCounts> {
    const { rows } = await this.db.query<DueCounts>(
      `WITH floors AS (${floorsFor('SELECT id AS webhook_id FROM webhooks')}
       ), due AS MATERIALIZED (
         SELECT d.id, d.status FROM deliveries d JOIN floors f ON f.webhook_id = d.webhook_id
         WHERE ((d.status = 'succeeded' AND d.completed_at < $1) OR (d.status = 'failed' AND d.completed_at < $2))
           AND NOT EXISTS (SELECT 1 FROM delivery_attempts a WHERE a.delivery_id = d.id AND a.id >= f.floor)
       )
       SELECT (SELECT count(*) FROM due WHERE status = 'succeeded')::int AS succeeded,
              (SELECT count(*) FROM due WHERE status = 'failed')::int AS failed,
              (SELECT count(*) FROM delivery_attempts a JOIN due ON due.id = a.delivery_id)::int AS attempts,
              (SELECT count(*) FROM alerts a
               WHERE a.status = 'resolved' AND a.resolved_at < $3
                 AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.alert_id = a.id
                                 AND NOT EXISTS (SELECT 1 FROM due WHERE due.id = d.id)))::int AS alerts`,
      [c.succeeded.toISOString(), c.failed.toISOString(), c.alerts.toISOString()],
    );
    return rows[0];
  }
}
