import { Inject, Injectable } from '@nestjs/common';
import { NOTIFY_SQL } from './delivery-outbox';
import { DeliveryPool } from './delivery-pool';

/** What one step of a recovery did. */
export interface RecoveryStep {
  /** Deliveries put back in the queue by this step. */
  moved: number;
  /** How many this step was allowed to move: the batch size, less the webhook's current backlog. */
  room: number;
  status: 'running' | 'completed';
}

/**
 * The statements that work recoveries, on the workers' pool. Raw SQL, one statement each: the lease fence, the
 * keyset walk with `FOR UPDATE SKIP LOCKED` and the cursor update must commit together, in a short transaction.
 */
@Injectable()
export class WebhookRecoveryQueue {
  constructor(@Inject(DeliveryPool) private readonly pool: Pick<DeliveryPool, 'db'>) {}

  /** Leases up to `limit` open recoveries (free, expired, or already ours), oldest first; returns their ids. */
  async lease(token: string, leaseMs: number, limit: number): Promise<string[]> {
    const { rows } = await this.pool.db.query<{ id: string }>(
      `UPDATE webhook_recoveries r
       SET status = 'running', lease_token = $1, lease_expires_at = now() + $2 * interval '1 millisecond', updated_at = now()
       FROM (SELECT id FROM webhook_recoveries
             WHERE status IN ('pending', 'running') AND (lease_token IS NULL OR lease_token = $1 OR lease_expires_at < now())
             ORDER BY created_at LIMIT $3 FOR UPDATE SKIP LOCKED) x
       WHERE r.id = x.id
       RETURNING r.id`,
      [token, leaseMs, limit],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Requeues the next batch of the recovery's window, oldest failure first, after its cursor: at most `batch` rows,
   * and fewer when the webhook already has up to `backlogBound` deliveries due or in flight (the workers' per-webhook
   * caps then set the pace, not the recovery). A requeued delivery is due now, keeps its attempt log, and gets a
   * fresh run of the retry schedule. Completes the recovery when the walk found fewer rows than it had room for.
   * Undefined when the lease is no longer ours, the recovery is not running, or the webhook is disabled.
   */
  async step(id: string, token: string, batch: number, backlogBound: number, leaseMs: number): Promise<RecoveryStep | undefined> {
    // The cursor starts below every real (completed_at, id) so the keyset condition is one index range, never an OR.
    const { rows } = await this.pool.db.query<{ moved: number; room: number; status: RecoveryStep['status'] }>(
      `WITH rec AS (
         SELECT r.id, r.webhook_id, r.since, least(r.until, r.created_at) AS upper,
                coalesce(r.cursor_at, '-infinity') AS cursor_at, coalesce(r.cursor_id, '00000000-0000-0000-0000-000000000000') AS cursor_id
         FROM webhook_recoveries r JOIN webhooks w ON w.id = r.webhook_id AND w.is_active
         WHERE r.id = $1 AND r.lease_token = $2 AND r.status = 'running'
         FOR UPDATE OF r
       ), room AS (
         -- The backlog the receiver faces now: due pending rows (the claim's partial index) and in-flight ones (the
         -- reaper's, small); retries scheduled for later do not hold a recovery back. Each count stops at the bound.
         SELECT greatest(0, least($3::int, $4::int
           - (SELECT count(*)::int FROM (SELECT 1 FROM deliveries d WHERE d.webhook_id = (SELECT webhook_id FROM rec)
                AND d.status = 'pending' AND d.next_attempt_at <= now() LIMIT $4) p)
           - (SELECT count(*)::int FROM (SELECT 1 FROM deliveries d WHERE d.status = 'in_flight'
                AND d.webhook_id = (SELECT webhook_id FROM rec) LIMIT $4) f))) AS n
       ), pick AS (
         SELECT d.id, d.completed_at FROM deliveries d, rec
         WHERE d.webhook_id = rec.webhook_id AND d.status = 'failed'
           AND d.completed_at >= rec.since AND d.completed_at < rec.upper
           AND (d.completed_at, d.id) > (rec.cursor_at, rec.cursor_id)
         ORDER BY d.completed_at, d.id
         LIMIT (SELECT n FROM room)
         FOR UPDATE OF d SKIP LOCKED
       ), moved AS (
         UPDATE deliveries d
         SET status = 'pending', retry_base = d.attempts, next_attempt_at = now(), completed_at = NULL, updated_at = now()
         FROM pick WHERE d.id = pick.id
         RETURNING pick.id, pick.completed_at
       ), last AS (
         SELECT id, completed_at FROM moved ORDER BY completed_at DESC, id DESC LIMIT 1
       ), counted AS (
         SELECT count(*)::int AS n FROM moved
       ), outcome AS (
         SELECT counted.n AS moved, room.n AS room,
                CASE WHEN room.n > 0 AND counted.n < room.n THEN 'completed' ELSE 'running' END AS status
         FROM counted, room
       ), saved AS (
         UPDATE webhook_recoveries r SET
           requeued = r.requeued + outcome.moved,
           cursor_at = coalesce((SELECT completed_at FROM last), r.cursor_at),
           cursor_id = coalesce((SELECT id FROM last), r.cursor_id),
           status = outcome.status,
           completed_at = CASE WHEN outcome.status = 'completed' THEN now() END,
           lease_token = CASE WHEN outcome.status = 'completed' THEN NULL ELSE r.lease_token END,
           lease_expires_at = CASE WHEN outcome.status = 'completed' THEN NULL ELSE now() + $5 * interval '1 millisecond' END,
           updated_at = now()
         FROM rec, outcome
         WHERE r.id = rec.id
         RETURNING outcome.*
       )
       SELECT * FROM saved`,
      [id, token, batch, backlogBound, leaseMs],
    );
    const [row] = rows;
    if (row && row.moved > 0) await this.pool.db.query(NOTIFY_SQL);
    return row;
  }

  /**
   * Completes a recovery we hold whose webhook was disabled meanwhile: what it did not requeue yet would never be
   * sent. Starting a new one after re-enabling the webhook picks up the rest of the window.
   */
  async completeIfWebhookDisabled(id: string, token: string): Promise<boolean> {
    const { rowCount } = await this.pool.db.query(
      `UPDATE webhook_recoveries r SET status = 'completed', completed_at = now(), lease_token = NULL, lease_expires_at = NULL, updated_at = now()
       WHERE r.id = $1 AND r.lease_token = $2 AND r.status = 'running'
         AND NOT EXISTS (SELECT 1 FROM webhooks w WHERE w.id = r.webhook_id AND w.is_active)`,
      [id, token],
    );
    return (rowCount ?? 0) > 0;
  }

  /** On shutdown: another process may take our recoveries at once instead of after the lease expires. */
  async release(token: string): Promise<void> {
    await this.pool.db.query(
      `UPDATE webhook_recoveries SET lease_token = NULL, lease_expires_at = NULL, updated_at = now() WHERE lease_token = $1 AND status = 'running'`,
      [token],
    );
  }
}
