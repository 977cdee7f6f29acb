import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager, IsNull, type QueryRunner, type Repository, type UpdateQueryBuilder } from 'typeorm';
import { DeliveryOutbox, type EventType, NOTIFY_SQL, subscribedWebhooksSql } from '@app/delivery';
import { ensureDatabaseReady } from '../common/database-ready';
import { type KeysetPage, keysetPage } from '../common/keyset-page';
import { AlertEntity } from './alert.entity';
import { type AlertInput, toAlertView } from './alert.view';

export interface AlertFilter {
  status?: string;
  severity?: string;
  acknowledged?: boolean;
  since?: string;
}

export interface UpsertOptions {
  /** Alertmanager re-sends firing alerts with fresh annotations: let them replace title, severity, description, labels and annotations. */
  refresh?: boolean;
}

/** Every query of the alerts feature. Transitions write their outbox deliveries in the same transaction. */
@Injectable()
export class AlertsRepository {
  constructor(
    @InjectRepository(AlertEntity) private readonly alerts: Repository<AlertEntity>,
    private readonly dataSource: DataSource,
    private readonly outbox: DeliveryOutbox,
  ) {}

  /** One transaction for work that spans this repository and others (the Idempotency-Key store). */
  async transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    ensureDatabaseReady(this.dataSource);
    return this.dataSource.transaction(work);
  }

  /**
   * Inserts a firing alert or counts an occurrence of the firing one with that fingerprint, and — for a new alert
   * only — writes its `alert.created` deliveries and wakes the workers. The partial unique index makes this
   * race-free: concurrent duplicates meet in `ON CONFLICT`. The new alert's id and timestamps are chosen here so the
   * event payload is exactly the stored row. Without `tx` it is one statement, atomic on its own.
   */
  async upsertFiring(input: AlertInput, options: UpsertOptions = {}, tx?: EntityManager): Promise<{ alert: AlertEntity; inserted: boolean }> {
    ensureDatabaseReady(this.dataSource);
    const now = new Date();
    const candidate = this.alerts.create({
      id: randomUUID(),
      fingerprint: input.fingerprint,
      title: input.title,
      severity: input.severity,
      status: 'firing',
      source: input.source,
      description: input.description,
      labels: input.labels,
      annotations: input.annotations,
      occurrences: 1,
      startsAt: input.startsAt ? new Date(input.startsAt) : now,
      resolvedAt: null,
      acknowledgedAt: null,
      acknowledgedBy: null,
      acknowledgementNote: null,
      createdAt: now,
      updatedAt: now,
    });
    const payload = JSON.stringify({ type: 'alert.created', timestamp: now.toISOString(), data: toAlertView(candidate) });
    const refresh = options.refresh
      ? `, title = EXCLUDED.title, severity = EXCLUDED.severity, description = EXCLUDED.description, labels = EXCLUDED.labels, annotations = EXCLUDED.annotations`
      : '';
    // Raw SQL: dedup, insert, fan-out and notify in one statement — one round trip on the hottest path (bench/delivery).
    const rows = (await (tx ?? this.dataSource.manager).query(
      `WITH a AS (
         INSERT INTO alerts (id, fingerprint, title, severity, source, description, labels, annotations, starts_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
         ON CONFLICT (fingerprint) WHERE status = 'firing'
         DO UPDATE SET occurrences = alerts.occurrences + 1, updated_at = now()${refresh}
         RETURNING *, (xmax = 0) AS inserted
       ), d AS (
         INSERT INTO deliveries (webhook_id, alert_id, event_type, payload)
         SELECT s.id, a.id, 'alert.created', $11 FROM a, (${subscribedWebhooksSql("'alert.created'", '$4')}) s
         WHERE a.inserted
         RETURNING 1
       ), n AS (${NOTIFY_SQL} WHERE EXISTS (SELECT 1 FROM d))
       SELECT a.*, (SELECT count(*) FROM n) AS notified FROM a`,
      [
        candidate.id,
        candidate.fingerprint,
        candidate.title,
        candidate.severity,
        candidate.source,
        candidate.description,
        candidate.labels,
        candidate.annotations,
        candidate.startsAt.toISOString(),
        now.toISOString(),
        payload,
      ],
    )) as Array<Record<string, unknown> & { inserted: boolean }>;
    return { alert: this.hydrate(rows[0]), inserted: rows[0].inserted };
  }

  async findById(id: string): Promise<AlertEntity | null> {
    ensureDatabaseReady(this.dataSource);
    return this.alerts.findOneBy({ id });
  }

  /** Newest first, filtered; keyset pages (the shared helper). */
  async list(filter: AlertFilter, limit: number, cursor: string | undefined): Promise<KeysetPage<AlertEntity>> {
    ensureDatabaseReady(this.dataSource);
    const qb = this.alerts.createQueryBuilder('alert');
    if (filter.status !== undefined) qb.andWhere('alert.status = :status', { status: filter.status });
    if (filter.severity !== undefined) qb.andWhere('alert.severity = :severity', { severity: filter.severity });
    if (filter.acknowledged !== undefined) qb.andWhere(filter.acknowledged ? 'alert.acknowledgedAt IS NOT NULL' : 'alert.acknowledgedAt IS NULL');
    if (filter.since !== undefined) qb.andWhere('alert.createdAt >= :since', { since: filter.since });
    return keysetPage(qb, limit, cursor);
  }

  /** The first acknowledgement wins and fans out `alert.acknowledged`; a repeat changes nothing. Null: no such alert. */
  async acknowledge(id: string, by: string, note: string | null): Promise<AlertEntity | null> {
    return this.transition(id, 'alert.acknowledged', (qb) =>
      qb.set({ acknowledgedAt: () => 'now()', acknowledgedBy: by, acknowledgementNote: note, updatedAt: () => 'now()' }).where({ id, acknowledgedAt: IsNull() }),
    );
  }

  /** Resolving fans out `alert.resolved`; resolving a resolved alert changes nothing. Null: no such alert. */
  async resolve(id: string): Promise<AlertEntity | null> {
    return this.transition(id, 'alert.resolved', (qb) =>
      qb.set({ status: 'resolved', resolvedAt: () => 'now()', updatedAt: () => 'now()' }).where({ id, status: 'firing' }),
    );
  }

  /** Resolves the firing alert of a fingerprint at `endsAt` (else now) and fans out `alert.resolved`; null if none fires. */
  async resolveFiring(tx: EntityManager, fingerprint: string, endsAt: string | null): Promise<AlertEntity | null> {
    const [changed] = await this.update(tx, (qb) =>
      qb
        .set({ status: 'resolved', resolvedAt: () => 'coalesce(CAST(:endsAt AS timestamptz), now())', updatedAt: () => 'now()' })
        .where({ fingerprint, status: 'firing' })
        .setParameter('endsAt', endsAt),
    );
    if (changed) await this.fanOut(tx, 'alert.resolved', changed);
    return changed ?? null;
  }

  private async transition(id: string, event: EventType, change: (qb: UpdateQueryBuilder<AlertEntity>) => UpdateQueryBuilder<AlertEntity>): Promise<AlertEntity | null> {
    return this.transaction(async (tx) => {
      const [changed] = await this.update(tx, change);
      if (!changed) return tx.findOneBy(AlertEntity, { id });
      await this.fanOut(tx, event, changed);
      return changed;
    });
  }

  private async update(tx: EntityManager, change: (qb: UpdateQueryBuilder<AlertEntity>) => UpdateQueryBuilder<AlertEntity>): Promise<AlertEntity[]> {
    const result = await change(tx.createQueryBuilder().update(AlertEntity)).returning('*').execute();
    return (result.raw as Array<Record<string, unknown>>).map((row) => this.hydrate(row));
  }

  private fanOut(tx: EntityManager, event: EventType, alert: AlertEntity): Promise<number> {
    const view = toAlertView(alert);
    return this.outbox.fanOutAlertEvent(runnerOf(tx), event, view.id, view.severity, view);
  }

  /** A row from RETURNING (column names) as an entity, through TypeORM's own column mapping. */
  private hydrate(row: Record<string, unknown>): AlertEntity {
    const alert = this.alerts.create();
    for (const column of this.alerts.metadata.columns) {
      column.setEntityValue(alert, this.dataSource.driver.prepareHydratedValue(row[column.databaseName], column));
    }
    return alert;
  }
}

/** The outbox writes through the transaction's own connection. */
function runnerOf(tx: EntityManager): QueryRunner {
  if (!tx.queryRunner) throw new Error('expected an EntityManager bound to a transaction');
  return tx.queryRunner;
}
