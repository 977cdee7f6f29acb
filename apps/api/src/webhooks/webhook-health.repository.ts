import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HEALTH_ATTEMPT_WINDOW } from '@app/delivery';
import { ensureDatabaseReady } from '../common/database-ready';

/** The failure ratio looks at this many latest attempts (at least DEGRADED_MIN_ATTEMPTS of them). */
export const RATIO_WINDOW = 20;

export interface HealthRow {
  id: string;
  name: string;
  is_active: boolean;
  disabled_reason: string | null;
  attempts: number;
  failures: number;
  window_attempts: number;
  window_failures: number;
  p95_ms: number | null;
  consecutive_failures: number;
  last_attempt_at: Date | null;
  last_success_at: Date | null;
}

/**
 * Health figures per webhook, computed from the append-only attempt log through (webhook_id, id) indexes: every
 * delivery appends a row, none updates a shared counter, so recording attempts never serialises on one hot row.
 * Attempts before the webhook was last (re-)enabled do not count.
 */
@Injectable()
export class WebhookHealthRepository {
  constructor(private readonly dataSource: DataSource) {}

  async all(): Promise<HealthRow[]> {
    ensureDatabaseReady(this.dataSource);
    // Raw SQL: lateral windows, percentile_cont and the failure streak are one statement TypeORM cannot express.
    // The stats window is HEALTH_ATTEMPT_WINDOW, the lib constant retention keeps: they cannot diverge.
    return this.dataSource.query<HealthRow[]>(
      `SELECT w.id, w.name, w.is_active, w.disabled_reason,
              coalesce(s.attempts, 0)::int AS attempts, coalesce(s.failures, 0)::int AS failures,
              coalesce(s.window_attempts, 0)::int AS window_attempts, coalesce(s.window_failures, 0)::int AS window_failures,
              s.p95_ms, s.last_attempt_at, c.consecutive_failures::int AS consecutive_failures, ok.last_success_at
       FROM webhooks w
       LEFT JOIN LATERAL (
         SELECT count(*) AS attempts, count(*) FILTER (WHERE NOT success) AS failures,
                count(*) FILTER (WHERE rn <= ${RATIO_WINDOW}) AS window_attempts,
                count(*) FILTER (WHERE rn <= ${RATIO_WINDOW} AND NOT success) AS window_failures,
                percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95_ms, max(started_at) AS last_attempt_at
         FROM (SELECT success, duration_ms, started_at, row_number() OVER (ORDER BY id DESC) AS rn
               FROM delivery_attempts a WHERE a.webhook_id = w.id AND a.started_at >= w.enabled_at
               ORDER BY id DESC LIMIT ${HEALTH_ATTEMPT_WINDOW}) x
       ) s ON true
       LEFT JOIN LATERAL (
         -- The latest success by id: one probe of the partial success index, however long the history (a max() of
         -- started_at read every success the webhook ever had; bench/retention).
         SELECT b.started_at AS last_success_at, b.id FROM delivery_attempts b WHERE b.webhook_id = w.id AND b.success
         ORDER BY b.id DESC LIMIT 1
       ) ok ON true
       LEFT JOIN LATERAL (
         SELECT count(*) AS consecutive_failures FROM (
           SELECT 1 FROM delivery_attempts a
           WHERE a.webhook_id = w.id AND a.started_at >= w.enabled_at AND a.id > coalesce(ok.id, 0)
           LIMIT 10000) y
       ) c ON true
       ORDER BY w.created_at DESC, w.id DESC`,
    );
  }
}
