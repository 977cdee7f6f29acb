import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type Repository } from 'typeorm';
import { ensureDatabaseReady } from '../common/database-ready';
import { AlertEntity } from '../alerts/alert.entity';

/** The dashboard shows at most this many firing alerts (most severe, then newest, first); the count is exact. */
export const DASHBOARD_MAX_ALERTS = 200;

export interface QueueStats {
  /** Deliveries the workers have to do: pending for an active webhook, or being sent (in_flight). */
  depth: number;
  /** Pending deliveries of active webhooks whose time has come. */
  due: number;
  in_flight: number;
  /** Age of the oldest due pending delivery of an active webhook, in ms; null when none is due. */
  oldest_due_age_ms: number | null;
  /** Pending deliveries of webhooks that are not active (DeliveryState `paused`): not in depth, due or the age. */
  paused: number;
}

/** The series covers the last SERIES_MINUTES minutes, the current one included, one point per minute. */
export const SERIES_MINUTES = 60;
/** At most this many of the newest alerts and of the newest delivery attempts are counted (the query's bound). */
export const SERIES_MAX_ROWS = 100_000;

export interface SeriesRow {
  minute: Date;
  alerts: number;
  deliveries_ok: number;
  deliveries_failed: number;
  p95_ms: number | null;
}

/** The live dashboard's reads: the firing alerts, the queue's figures and the last hour's series. */
@Injectable()
export class DashboardRepository {
  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(AlertEntity) private readonly alerts: Repository<AlertEntity>,
  ) {}

  async firingAlerts(): Promise<{ alerts: AlertEntity[]; total: number }> {
    ensureDatabaseReady(this.dataSource);
    const qb = this.alerts
      .createQueryBuilder('alert')
      .where(`alert.status = 'firing'`)
      .orderBy(`array_position(ARRAY['critical','high','warning','info']::varchar[], alert.severity)`)
      .addOrderBy('alert.createdAt', 'DESC')
      .take(DASHBOARD_MAX_ALERTS);
    const [alerts, total] = await qb.getManyAndCount();
    return { alerts, total };
  }

  async queueStats(): Promise<QueueStats> {
    ensureDatabaseReady(this.dataSource);
    // Raw SQL: one pass over the (partially indexed) open deliveries, joined to the small webhooks table, gives all
    // five figures; `paused` is DeliveryState's definition (pending, webhook not active).
    const [row] = (await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE d.status = 'pending' AND w.is_active) AS pending,
              count(*) FILTER (WHERE d.status = 'pending' AND NOT w.is_active) AS paused,
              count(*) FILTER (WHERE d.status = 'pending' AND w.is_active AND d.next_attempt_at <= now()) AS due,
              count(*) FILTER (WHERE d.status = 'in_flight') AS in_flight,
              (extract(epoch FROM now() - min(d.next_attempt_at)
                 FILTER (WHERE d.status = 'pending' AND w.is_active AND d.next_attempt_at <= now())) * 1000)::float8 AS oldest_due_age_ms
         FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
        WHERE d.status IN ('pending', 'in_flight')`,
    )) as Array<{ pending: string; paused: string; due: string; in_flight: string; oldest_due_age_ms: number | null }>;
    const age = row?.oldest_due_age_ms;
    return {
      depth: Number(row?.pending ?? 0) + Number(row?.in_flight ?? 0),
      due: Number(row?.due ?? 0),
      in_flight: Number(row?.in_flight ?? 0),
      oldest_due_age_ms: age === null || age === undefined ? null : Math.max(0, Math.round(age)),
      paused: Number(row?.paused ?? 0),
    };
  }

  /**
   * Alerts created, delivery attempts ok/failed and their p95 duration, per minute over the last hour, in one statement
   * (raw SQL: per-minute buckets with a percentile). Bounded: it reads at most SERIES_MAX_ROWS of the newest alerts
   * (alerts_created_at_idx) and attempts (by primary key: delivery_attempts has no started_at index, and ids follow
   * time); `truncated` says the oldest minutes were cut short.
   */
  async series(): Promise<{ rows: SeriesRow[]; truncated: boolean }> {
    ensureDatabaseReady(this.dataSource);
    const rows = (await this.dataSource.query(
      `WITH bounds AS (SELECT date_trunc('minute', now()) - make_interval(mins => $1 - 1) AS since),
            recent_alerts AS (SELECT created_at FROM alerts WHERE created_at >= (SELECT since FROM bounds) ORDER BY created_at DESC LIMIT $2),
            recent_attempts AS (SELECT started_at, success, duration_ms FROM delivery_attempts ORDER BY id DESC LIMIT $2),
            a AS (SELECT date_trunc('minute', created_at) AS minute, count(*)::int AS n FROM recent_alerts GROUP BY 1),
            d AS (SELECT date_trunc('minute', started_at) AS minute,
                         count(*) FILTER (WHERE success)::int AS ok,
                         count(*) FILTER (WHERE NOT success)::int AS failed,
                         percentile_disc(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95
                    FROM recent_attempts WHERE started_at >= (SELECT since FROM bounds) GROUP BY 1)
       SELECT m.minute, coalesce(a.n, 0) AS alerts, coalesce(d.ok, 0) AS deliveries_ok, coalesce(d.failed, 0) AS deliveries_failed,
              d.p95 AS p95_ms,
              ((SELECT count(*) FROM recent_alerts) >= $2
                OR ((SELECT count(*) FROM recent_attempts) >= $2
                    AND (SELECT min(started_at) FROM recent_attempts) > (SELECT since FROM bounds))) AS truncated
         FROM generate_series((SELECT since FROM bounds), date_trunc('minute', now()), interval '1 minute') AS m(minute)
         LEFT JOIN a ON a.minute = m.minute
         LEFT JOIN d ON d.minute = m.minute
        ORDER BY m.minute`,
      [SERIES_MINUTES, SERIES_MAX_ROWS],
    )) as Array<SeriesRow & { truncated: boolean }>;
    return {
      rows: rows.map(({ minute, alerts, deliveries_ok, deliveries_failed, p95_ms }) => ({ minute, alerts, deliveries_ok, deliveries_failed, p95_ms })),
      truncated: rows.some((r) => r.truncated),
    };
  }
}
