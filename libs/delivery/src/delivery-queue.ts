import { Inject, Injectable } from '@nestjs/common';
import { queryRows } from '@app/database';
import { DELIVERY_CHANNEL } from './delivery-outbox';
import { DeliveryPool } from './delivery-pool';
import { PAUSED_EXPIRED_ERROR } from './delivery-state';

const NOTIFY_SQL = `SELECT pg_notify('${DELIVERY_CHANNEL}', '')`;

export interface ClaimedDelivery {
  id: string;
  webhook_id: string;
  event_type: string;
  payload: string;
  attempts: number;
  retry_base: number;
  lease_token: string;
  /** When the delivery was queued (the alert accepted): the start of the end-to-end latency. */
  created_at: Date;
  url: string;
  headers: Record<string, string>;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  /** The webhook's send rate as of the claim (a PATCH takes effect from the next claim); null = not paced. */
  rate_limit_per_second: number | null;
}

/** What the claim leaves out for paced webhooks: deliveries waiting for their slot, and webhooks with none free. */
export interface ClaimPacing {
  waiting: ReadonlyMap<string, number>;
  blocked: readonly string[];
}

const NO_PACING: ClaimPacing = { waiting: new Map(), blocked: [] };

export interface AttemptOutcome {
  id: string;
  leaseToken: string;
  success: boolean;
  statusCode: number | null;
  error: string | null;
  responseBody: string | null;
  durationMs: number;
  startedAt: Date;
  /** Delay before the next attempt; null on success or when the delivery has failed for good. */
  retryInMs: number | null;
}

/**
 * The queue's repository: every statement the workers run, on the workers' own pool. Raw SQL throughout, each
 * statement one round trip on purpose (and TypeORM's query builder does not run on this pool). Claims take due rows
 * with `FOR UPDATE SKIP LOCKED` (concurrent claimers never block on, nor take, the same row) and stamp each with a
 * fresh lease token; completion is fenced by that token, so a worker whose lease expired and was reclaimed cannot
 * overwrite the newer claim or log a stale attempt.
 */
@Injectable()
export class DeliveryQueue {
  constructor(@Inject(DeliveryPool) private readonly pool: Pick<DeliveryPool, 'db'>) {}

  /**
   * Claims up to `limit` due deliveries, at most `perWebhookCap` minus what this process already has in flight for
   * each webhook. Walks the active webhooks and probes each one's due rows through (webhook_id, next_attempt_at):
   * a webhook at its cap with a long backlog costs one index probe, not a scan of its backlog, and one webhook's
   * backlog cannot sit in front of another's. A webhook with a send rate gets at most half a second's worth
   * (ceil(rate / 2)) minus its deliveries still waiting for a slot, and none while `pacing.blocked` lists it: what is
   * claimed can mostly be sent within the in-process wait, so few go back to the queue.
   */
  async claim(
    limit: number,
    leaseMs: number,
    perWebhookCap: number,
    busy: ReadonlyMap<string, number>,
    pacing: ClaimPacing = NO_PACING,
  ): Promise<ClaimedDelivery[]> {
    // One statement: SKIP LOCKED selection and the lease stamp must happen under the same row locks.
    return queryRows<ClaimedDelivery>(
      this.pool.db,
      `WITH due AS (
         SELECT d.id FROM webhooks w
         LEFT JOIN unnest($4::uuid[], $5::int[]) AS busy (webhook_id, n) ON busy.webhook_id = w.id
         LEFT JOIN unnest($6::uuid[], $7::int[]) AS waiting (webhook_id, n) ON waiting.webhook_id = w.id
         CROSS JOIN LATERAL (
           SELECT d.id FROM deliveries d
           WHERE d.webhook_id = w.id AND d.status = 'pending' AND d.next_attempt_at <= now()
           ORDER BY d.next_attempt_at
           LIMIT greatest(0, least($3::int - coalesce(busy.n, 0), $1::int,
                                   coalesce((w.rate_limit_per_second + 1) / 2 - coalesce(waiting.n, 0), $1::int)))
           FOR UPDATE OF d SKIP LOCKED
         ) d
         WHERE w.is_active AND w.id <> ALL ($8::uuid[])
         LIMIT $1
       ), claimed AS (
         UPDATE deliveries d
         SET status = 'in_flight', attempts = d.attempts + 1, lease_token = gen_random_uuid(),
             lease_expires_at = now() + $2 * interval '1 millisecond', updated_at = now()
         FROM due
         WHERE d.id = due.id
         RETURNING d.id, d.webhook_id, d.event_type, d.payload, d.attempts, d.retry_base, d.lease_token, d.created_at
       )
       SELECT c.*, w.url, w.headers, w.secret, w.previous_secret, w.previous_secret_expires_at, w.rate_limit_per_second
       FROM claimed c JOIN webhooks w ON w.id = c.webhook_id`,
      [limit, leaseMs, perWebhookCap, [...busy.keys()], [...busy.values()], [...pacing.waiting.keys()], [...pacing.waiting.values()], pacing.blocked],
    );
  }

  /**
   * A paced delivery with no send slot in reach goes back to the queue, due in `delayMs`: no attempt is counted
   * (the claim's increment is undone) and none is logged. Fenced by the lease token like a completion.
   */
  async requeue(id: string, leaseToken: string, delayMs: number): Promise<boolean> {
    const result = await this.pool.db.query(
      `UPDATE deliveries SET status = 'pending', attempts = attempts - 1, next_attempt_at = now() + $3 * interval '1 millisecond',
              lease_token = NULL, lease_expires_at = NULL, updated_at = now()
       WHERE id = $1 AND lease_token = $2 AND status = 'in_flight'`,
      [id, leaseToken, delayMs],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /** Records a batch of attempts in one statement; returns the ids whose lease was still theirs. */
  async complete(outcomes: AttemptOutcome[]): Promise<Set<string>> {
    // One statement: the fenced update and the attempt-log insert commit together, for the whole batch.
    const rows = await queryRows<{ delivery_id: string }>(
      this.pool.db,
      `WITH r AS (
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bool[], $4::int[], $5::text[], $6::text[], $7::int[], $8::timestamptz[], $9::int[])
           AS t(id, token, success, status_code, error, body, duration_ms, started_at, retry_in_ms)
       ), upd AS (
         UPDATE deliveries d SET
           status = CASE WHEN r.success THEN 'succeeded' WHEN r.retry_in_ms IS NULL THEN 'failed' ELSE 'pending' END,
           next_attempt_at = CASE WHEN NOT r.success AND r.retry_in_ms IS NOT NULL
                                  THEN now() + r.retry_in_ms * interval '1 millisecond' ELSE d.next_attempt_at END,
           lease_token = NULL, lease_expires_at = NULL,
           last_status_code = r.status_code, last_error = r.error,
           completed_at = CASE WHEN r.success OR r.retry_in_ms IS NULL THEN now() END,
           updated_at = now()
         FROM r
         WHERE d.id = r.id AND d.lease_token = r.token AND d.status = 'in_flight'
         RETURNING d.id, d.webhook_id, d.attempts
       )
       INSERT INTO delivery_attempts (delivery_id, webhook_id, attempt, success, status_code, error, response_body, duration_ms, started_at)
       SELECT upd.id, upd.webhook_id, upd.attempts, r.success, r.status_code, r.error, r.body, r.duration_ms, r.started_at
       FROM upd JOIN r ON r.id = upd.id
       RETURNING delivery_id`,
      [
        outcomes.map((o) => o.id),
        outcomes.map((o) => o.leaseToken),
        outcomes.map((o) => o.success),
        outcomes.map((o) => o.statusCode),
        outcomes.map((o) => o.error),
        outcomes.map((o) => o.responseBody),
        outcomes.map((o) => o.durationMs),
        outcomes.map((o) => o.startedAt.toISOString()),
        outcomes.map((o) => o.retryInMs),
      ],
    );
    if (outcomes.some((o) => o.retryInMs === 0)) await this.pool.db.query(NOTIFY_SQL);
    return new Set(rows.map((r) => r.delivery_id));
  }

  /**
   * Queue figures for /metrics, each count stopping at `cap`: pending deliveries of active webhooks, paused ones
   * (pending, webhook not active: DeliveryState), in-flight ones, and the age of the oldest due pending delivery of an
   * active webhook (0 when none is due).
   */
  async stats(cap: number): Promise<{ pending: number; paused: number; inFlight: number; oldestDueAgeSeconds: number }> {
    // One statement, bounded: the counts read the partial status indexes (joined to the small webhooks table) up to
    // `cap` rows; the oldest due row is one (webhook_id, next_attempt_at) probe per active webhook, the claim's own
    // access path, never a backlog scan.
    const [row] = await queryRows<{ pending: string; paused: string; in_flight: string; oldest: number | string | null }>(
      this.pool.db,
      `SELECT
         (SELECT count(*) FROM (SELECT 1 FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
            WHERE d.status = 'pending' AND w.is_active LIMIT $1) p) AS pending,
         (SELECT count(*) FROM (SELECT 1 FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
            WHERE d.status = 'pending' AND NOT w.is_active LIMIT $1) z) AS paused,
         (SELECT count(*) FROM (SELECT 1 FROM deliveries WHERE status = 'in_flight' LIMIT $1) f) AS in_flight,
         (SELECT extract(epoch FROM now() - min(x.t)) FROM webhooks w CROSS JOIN LATERAL (
            SELECT d.next_attempt_at AS t FROM deliveries d
            WHERE d.webhook_id = w.id AND d.status = 'pending' AND d.next_attempt_at <= now()
            ORDER BY d.next_attempt_at LIMIT 1) x
          WHERE w.is_active) AS oldest`,
      [cap],
    );
    return {
      pending: Number(row?.pending ?? 0),
      paused: Number(row?.paused ?? 0),
      inFlight: Number(row?.in_flight ?? 0),
      oldestDueAgeSeconds: Math.max(0, Number(row?.oldest ?? 0)),
    };
  }

  /**
   * Fails up to `limit` deliveries that have been paused (pending, webhook not active) for `ageMs`: since the later
   * of their creation and the webhook's disabled_at. Returns how many.
   */
  async expirePaused(ageMs: number, limit: number): Promise<number> {
    // One statement. The webhook row is share-locked (SKIP LOCKED: a PATCH in progress defers it to the next run), so
    // a concurrent re-activation either commits first, and the row is not paused any more, or waits for this
    // statement; delivery rows a claim holds are skipped. No attempt is logged: the receiver was never asked.
    // MATERIALIZED: the pick runs once; as a rescanned subquery of the UPDATE it would skip the rows the UPDATE
    // already changed and pick more on each rescan, past the limit.
    const result = await this.pool.db.query(
      `WITH e AS MATERIALIZED (
         SELECT x.id FROM webhooks w CROSS JOIN LATERAL (
           SELECT d.id FROM deliveries d
           WHERE d.webhook_id = w.id AND d.status = 'pending' AND d.created_at < now() - $1 * interval '1 millisecond'
           LIMIT $2 FOR UPDATE OF d SKIP LOCKED) x
         WHERE NOT w.is_active AND (w.disabled_at IS NULL OR w.disabled_at < now() - $1 * interval '1 millisecond')
         LIMIT $2 FOR SHARE OF w SKIP LOCKED
       )
       UPDATE deliveries d SET status = 'failed', last_error = $3, completed_at = now(), updated_at = now()
       FROM e WHERE d.id = e.id AND d.status = 'pending'`,
      [ageMs, limit, PAUSED_EXPIRED_ERROR],
    );
    return result.rowCount ?? 0;
  }

  /** Returns deliveries whose worker vanished (crash, kill -9) to the queue. */
  async reapExpiredLeases(): Promise<number> {
    // One statement: SKIP LOCKED leaves rows a live completion is writing right now alone.
    const rows = await queryRows<{ id: string }>(
      this.pool.db,
      `UPDATE deliveries d SET status = 'pending', lease_token = NULL, lease_expires_at = NULL, next_attempt_at = now(),
              last_error = 'lease expired before the attempt was recorded', updated_at = now()
       FROM (SELECT id FROM deliveries WHERE status = 'in_flight' AND lease_expires_at < now() FOR UPDATE SKIP LOCKED) x
       WHERE d.id = x.id
       RETURNING d.id`,
    );
    if (rows.length > 0) await this.pool.db.query(NOTIFY_SQL);
    return rows.length;
  }

  /** 410 Gone (or continuous failure): the webhook is disabled and its queued deliveries fail, together or not at all. */
  async disableWebhook(webhookId: string, reason: string): Promise<void> {
    // One statement (a data-modifying CTE): both updates commit or roll back together, in one round trip.
    await this.pool.db.query(
      `WITH disabled AS (
         UPDATE webhooks SET is_active = false, disabled_reason = $2, disabled_at = now(), updated_at = now()
         WHERE id = $1 AND is_active
       )
       UPDATE deliveries SET status = 'failed', last_error = $3, completed_at = now(), updated_at = now()
       WHERE webhook_id = $1 AND status = 'pending'`,
      [webhookId, reason, `webhook disabled: ${reason}`],
    );
  }

  /** When the webhook's current failure streak began (attempts since it was last enabled), or null if it is not failing. */
  async failingSince(webhookId: string): Promise<Date | null> {
    // One statement: the last success and the streak's first failure, both read through (webhook_id, id) indexes.
    const [row] = await queryRows<{ failing_since: Date | null }>(
      this.pool.db,
      `WITH last_ok AS (SELECT coalesce(max(id), 0) AS id FROM delivery_attempts WHERE webhook_id = $1 AND success)
       SELECT min(a.started_at) AS failing_since FROM delivery_attempts a, last_ok, webhooks w
       WHERE a.webhook_id = $1 AND a.id > last_ok.id AND w.id = $1 AND a.started_at >= w.enabled_at`,
      [webhookId],
    );
    return row?.failing_since ? new Date(row.failing_since) : null;
  }

  /** Deletes up to 1000 Idempotency-Keys older than `ttlHours`; returns how many. */
  async pruneIdempotencyKeys(ttlHours: number): Promise<number> {
    // One bounded statement: a long backlog is pruned a batch per reaper run, never in one long transaction.
    const result = await this.pool.db.query(
      `DELETE FROM idempotency_keys WHERE (subject, key) IN (
         SELECT subject, key FROM idempotency_keys WHERE created_at < now() - $1 * interval '1 hour' LIMIT 1000)`,
      [ttlHours],
    );
    return result.rowCount ?? 0;
  }
}
