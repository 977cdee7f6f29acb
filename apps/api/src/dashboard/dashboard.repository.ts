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

/** The live dashboard's reads: the firing alerts and the queue's figures. */
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
}
