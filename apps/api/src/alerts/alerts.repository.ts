import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { v7 as uuidv7 } from 'uuid';
import { DataSource, type EntityManager, IsNull, type QueryRunner, type Repository, type UpdateQueryBuilder } from 'typeorm';
import { preparedRows, queryRows } from '@app/database';
import {
  DeliveryOutbox,
  type EventType,
  NOTIFY_SQL,
  matchedWebhooksSql,
  ROUTING_FRESH_SQL,
  SEVERITIES,
  subscribedWebhooksSql,
  TIME_ORDERED_UUID_SQL,
} from '@app/delivery';
import { ensureDatabaseReady } from '../common/database-ready';
import { type KeysetPage, keysetPage } from '../common/keyset-page';
import { AlertEntity } from './alert.entity';
import { alertCreatedPayloadSql } from './alert-created-payload.sql';
import type { FanOutEvent } from './alertmanager-mapper';
import { type AlertInput, toAlertView } from './alert.view';

export interface AlertFilter {
  status?: string;
  severity?: string;
  acknowledged?: boolean;
  since?: string;
}

export interface UpsertResult {
  alert: AlertEntity;
  inserted: boolean;
}

/** An acknowledge or resolve: the row after it, and whether this call changed it (and fanned its event out). */
export interface AlertTransition {
  alert: AlertEntity;
  changed: boolean;
}

export interface UpsertOptions {
  /** Alertmanager re-sends firing alerts with fresh annotations: let them replace title, severity, description, labels and annotations. */
  refresh?: boolean;
  /**
   * Requests collapsed into one item (group commit): the `alert.created` event carries the row as its first request
   * created it (one occurrence), as one-by-one processing would have fanned it out.
   */
  announceFirstOccurrence?: boolean;
}

/** Every query of the alerts feature. Transitions write their outbox deliveries in the same transaction. */
@Injectable()
export class AlertsRepository {
  /** The select list of `upsertFiringMany`: every column of an updated row, nulls for an inserted one. */
  private updatedRowColumns: string | undefined;

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
   * only — writes its `alert.created` deliveries and wakes the workers. Without `tx` it is one statement, atomic on its own.
   */
  async upsertFiring(input: AlertInput, options: UpsertOptions = {}, tx?: EntityManager): Promise<UpsertResult> {
    const [result] = await this.upsertFiringMany([{ alert: input, count: 1 }], options, tx);
    return result;
  }

  /**
   * `upsertFiring` for many fingerprints in one statement: each item inserts a firing alert with `count` occurrences,
   * or adds `count` to the firing one's. The partial unique index makes this race-free: concurrent duplicates meet in
   * `ON CONFLICT`. New alerts' ids and timestamps are chosen here so each event payload is exactly the stored row.
   * Fingerprints must be distinct (PostgreSQL refuses to update a row twice in one statement). Results in item order.
   */
  async upsertFiringMany(items: Array<{ alert: AlertInput; count: number }>, options: UpsertOptions = {}, tx?: EntityManager): Promise<UpsertResult[]> {
    if (items.length === 0) return [];
    ensureDatabaseReady(this.dataSource);
    // An inserted row is its candidate (chosen here, stored as is), so only an updated row comes back whole: no
    // transfer, date parsing or hydration for the new alerts of a storm.
    this.updatedRowColumns ??= this.alerts.metadata.columns
      .map((c) => `"${c.databaseName}"`)
      .filter((c) => c !== '"fingerprint"')
      .map((c) => `CASE WHEN a.inserted THEN NULL ELSE a.${c} END AS ${c}`)
      .join(', ');
    // Every item comes back (inserted or updated) unless the statement found the routing table stale and wrote nothing.
    const { rows, candidates } = await this.upsert(
      items,
      options,
      tx,
      `SELECT a.fingerprint, a.inserted, ${this.updatedRowColumns}, (SELECT count(*) FROM n) AS notified FROM a`,
      (r) => r.length > 0,
    );
    const byFingerprint = new Map((rows as Array<Record<string, unknown> & { inserted: boolean }>).map((row) => [row.fingerprint as string, row]));
    return candidates.map((candidate) => {
      const row = byFingerprint.get(candidate.fingerprint);
      if (!row) throw new Error(`upsertFiringMany: no row returned for ${candidate.fingerprint}`);
      return { alert: row.inserted ? candidate : this.hydrate(row), inserted: row.inserted };
    });
  }

  /**
   * `upsertFiringMany` when only the number of alerts it created matters (the Alertmanager route): the same statement,
   * but no row comes back to transfer, parse and hydrate.
   */
  async upsertFiringCountCreated(items: Array<{ alert: AlertInput; count: number }>, options: UpsertOptions = {}, tx?: EntityManager): Promise<number> {
    if (items.length === 0) return 0;
    const { rows } = await this.upsert(
      items,
      options,
      tx,
      'SELECT count(*) FILTER (WHERE a.inserted)::int AS created, (SELECT count(*) FROM n) AS notified, (SELECT count(*) FROM g)::int AS fresh FROM a',
      (r) => (r[0] as { fresh: number }).fresh > 0,
    );
    return (rows[0] as { created: number }).created;
  }

  /**
   * The statement, with `select` over its `a` (the upserted rows), `n` (the wake-up) and `g` (the routing table is
   * fresh); also the candidate rows, in item order. `fresh` reads the rows: a stale statement wrote nothing, and runs again.
   */
  private async upsert(
    items: Array<{ alert: AlertInput; count: number }>,
    options: UpsertOptions,
    tx: EntityManager | undefined,
    select: string,
    fresh: (rows: unknown[]) => boolean,
  ): Promise<{ rows: unknown[]; candidates: AlertEntity[] }> {
    ensureDatabaseReady(this.dataSource);
    if (new Set(items.map((i) => i.alert.fingerprint)).size !== items.length) throw new Error('upsertFiringMany: duplicate fingerprints');
    const now = new Date();
    const timestamp = now.toISOString();
    // Plain entities (not `repository.create`, which walks the metadata for each of a payload's alerts).
    const candidates = items.map(({ alert: input, count }) =>
      Object.assign(new AlertEntity(), {
        // Time-ordered (UUIDv7): a storm's rows go to the right edge of the primary-key index (bench/intake).
        id: uuidv7(),
        // Text as PostgreSQL stores it (a lone surrogate becomes U+FFFD, as the driver's UTF-8 encoding always did), so
        // the event payload below is exactly the stored row.
        fingerprint: wellFormed(input.fingerprint),
        title: wellFormed(input.title),
        severity: input.severity,
        status: 'firing',
        source: input.source === null ? null : wellFormed(input.source),
        description: input.description === null ? null : wellFormed(input.description),
        labels: input.labels,
        annotations: input.annotations,
        occurrences: count,
        startsAt: input.startsAt ? new Date(input.startsAt) : now,
        resolvedAt: null,
        acknowledgedAt: null,
        acknowledgedBy: null,
        acknowledgementNote: null,
        createdAt: now,
        updatedAt: now,
      }),
    );
    const refresh = options.refresh
      ? `, title = EXCLUDED.title, severity = EXCLUDED.severity, description = EXCLUDED.description, labels = EXCLUDED.labels, annotations = EXCLUDED.annotations`
      : '';
    // The batch goes as one JSON parameter: one native JSON.stringify, where eleven array parameters cost the
    // driver's per-element escaping in JS (bench/intake). The event payloads are built from it in SQL.
    const batch = (routes: (c: AlertEntity) => string[]) =>
      candidates.map((c) => ({
        id: c.id,
        fingerprint: c.fingerprint,
        title: c.title,
        severity: c.severity,
        source: c.source,
        description: c.description,
        labels: c.labels,
        annotations: c.annotations,
        occurrences: c.occurrences,
        starts_at: c.startsAt.toISOString(),
        routes: routes(c),
      }));
    const payload = alertCreatedPayloadSql('t', '$2::text', options.announceFirstOccurrence ? '1' : 't.occurrences');
    // Raw SQL: dedup, insert, fan-out and notify for the whole batch in one statement — one round trip whatever its size
    // (bench/delivery). Rows go in fingerprint order so concurrent batches lock conflicting rows in the same order.
    // Label matchers were evaluated in the process (WebhookRouting): each row carries the webhooks with matchers it
    // satisfies, and `g` checks that their table is current (else nothing is written and the statement runs again).
    const rows = await this.outbox.routing.run(async (table) => {
      const result = await preparedRows(
        this.dataSource,
        tx,
        `WITH g AS (${ROUTING_FRESH_SQL('$3')}), i AS (
           SELECT t.*, ${payload} AS payload FROM json_to_recordset($1::json)
             AS t(id uuid, fingerprint text, title text, severity text, source text, description text, labels json, annotations json, occurrences int, starts_at text, routes uuid[])
           WHERE EXISTS (SELECT 1 FROM g)
         ), a AS (
           INSERT INTO alerts (id, fingerprint, title, severity, source, description, labels, annotations, occurrences, starts_at, created_at, updated_at)
           SELECT id, fingerprint, title, severity, source, description, labels::jsonb, annotations::jsonb, occurrences, starts_at::timestamptz, $2::text::timestamptz, $2::text::timestamptz
           FROM i ORDER BY fingerprint
           ON CONFLICT (fingerprint) WHERE status = 'firing'
           DO UPDATE SET occurrences = alerts.occurrences + EXCLUDED.occurrences, updated_at = now()${refresh}
           RETURNING *, (xmax = 0) AS inserted
         ), d AS (
           INSERT INTO deliveries (id, webhook_id, alert_id, event_type, payload)
           SELECT ${TIME_ORDERED_UUID_SQL}, s.id, a.id, 'alert.created', i.payload
           FROM a JOIN i ON i.id = a.id CROSS JOIN LATERAL (${subscribedWebhooksSql("'alert.created'", 'a.severity', 'i.routes')}) s
           WHERE a.inserted
           RETURNING 1
         ), n AS (${NOTIFY_SQL} WHERE EXISTS (SELECT 1 FROM d))
         ${select}`,
        [JSON.stringify(batch((c) => table.matched(c))), timestamp, table.generation],
      );
      return { fresh: fresh(result), value: result };
    });
    return { rows, candidates };
  }

  /**
   * How many deliveries these events would write now: round-1 events only where the database says they happen
   * (nothing firing / something firing), each times the active webhooks subscribed to its type and severity whose
   * matchers it satisfies. Webhooks without matchers are counted per (type, severity) once; those with matchers only
   * where an event matched them (by primary key): one cheap statement, whatever the number of webhooks.
   */
  async countFanOut(events: FanOutEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    ensureDatabaseReady(this.dataSource);
    return this.outbox.routing.run(async (table) => {
      const rows = events.map(({ alert, ...e }) => ({ ...e, routes: table.matched(alert) }));
      const [row] = (await this.dataSource.query(
        `WITH g AS (${ROUTING_FRESH_SQL('$3')}), subs AS (
           SELECT e.type, v.severity, (SELECT count(*) FROM (${subscribedWebhooksSql('e.type', 'v.severity', "'{}'::uuid[]")}) w) AS n
           FROM unnest(ARRAY['alert.created', 'alert.resolved']) AS e(type) CROSS JOIN unnest($2::text[]) AS v(severity)
         ), r AS (
           SELECT * FROM json_to_recordset($1::json) AS r(fingerprint text, event text, severity text, first boolean, routes uuid[])
         )
         SELECT coalesce(sum(subs.n + (
                  SELECT count(*) FROM (${matchedWebhooksSql('r.event', 'subs.severity', 'r.routes')}) m
                )), 0)::int AS deliveries,
                (SELECT count(*) FROM g)::int AS fresh
         FROM r
         LEFT JOIN alerts a ON r.first AND a.fingerprint = r.fingerprint AND a.status = 'firing'
         JOIN subs ON subs.type = r.event AND subs.severity = coalesce(r.severity, a.severity)
         WHERE NOT r.first OR (r.event = 'alert.created') = (a.id IS NULL)`,
        [JSON.stringify(rows), SEVERITIES, table.generation],
      )) as Array<{ deliveries: number; fresh: number }>;
      return { fresh: row.fresh > 0, value: row.deliveries };
    });
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
  async acknowledge(id: string, by: string, note: string | null): Promise<AlertTransition | null> {
    return this.transition(id, 'alert.acknowledged', (qb) =>
      qb
        .set({ acknowledgedAt: () => 'now()', acknowledgedBy: by, acknowledgementNote: note, updatedAt: () => 'now()' })
        .where({ id, acknowledgedAt: IsNull() }),
    );
  }

  /** Resolving fans out `alert.resolved`; resolving a resolved alert changes nothing. Null: no such alert. */
  async resolve(id: string): Promise<AlertTransition | null> {
    return this.transition(id, 'alert.resolved', (qb) =>
      qb.set({ status: 'resolved', resolvedAt: () => 'now()', updatedAt: () => 'now()' }).where({ id, status: 'firing' }),
    );
  }

  /**
   * Resolves the firing alert of each fingerprint at its `endsAt` (else now) and fans out `alert.resolved` for each:
   * two statements whatever the number. Returns the resolved alerts; fingerprints with nothing firing are skipped.
   */
  async resolveFiringMany(tx: EntityManager, items: Array<{ fingerprint: string; endsAt: string | null }>): Promise<AlertEntity[]> {
    if (items.length === 0) return [];
    // Raw SQL: TypeORM's update builder cannot join a parameter list (UPDATE ... FROM unnest), one statement for the batch.
    const rows = await queryRows<Record<string, unknown>>(
      runnerOf(tx),
      `UPDATE alerts SET status = 'resolved', resolved_at = coalesce(i.ends_at, now()), updated_at = now()
       FROM unnest($1::text[], $2::timestamptz[]) AS i(fingerprint, ends_at)
       WHERE alerts.fingerprint = i.fingerprint AND alerts.status = 'firing'
       RETURNING alerts.*`,
      [items.map((i) => i.fingerprint), items.map((i) => i.endsAt)],
    );
    const resolved = rows.map((row) => this.hydrate(row));
    await this.fanOut(tx, 'alert.resolved', resolved);
    return resolved;
  }

  private async transition(
    id: string,
    event: EventType,
    change: (qb: UpdateQueryBuilder<AlertEntity>) => UpdateQueryBuilder<AlertEntity>,
  ): Promise<AlertTransition | null> {
    return this.transaction(async (tx) => {
      const [updated] = await this.update(tx, change);
      if (!updated) {
        const current = await tx.findOneBy(AlertEntity, { id });
        return current && { alert: current, changed: false };
      }
      await this.fanOut(tx, event, [updated]);
      return { alert: updated, changed: true };
    });
  }

  private async update(tx: EntityManager, change: (qb: UpdateQueryBuilder<AlertEntity>) => UpdateQueryBuilder<AlertEntity>): Promise<AlertEntity[]> {
    const result = await change(tx.createQueryBuilder().update(AlertEntity)).returning('*').execute();
    return (result.raw as Array<Record<string, unknown>>).map((row) => this.hydrate(row));
  }

  /** Each alert's event payload is its stored row (`toAlertView`). */
  private fanOut(tx: EntityManager, event: EventType, alerts: AlertEntity[]): Promise<number> {
    const events = alerts.map(toAlertView).map((view) => ({ alertId: view.id, severity: view.severity, data: view, alert: view }));
    return this.outbox.fanOutAlertEvents(runnerOf(tx), event, events);
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

/** `String.prototype.toWellFormed` (Node 20; not in the ES2022 lib typings): lone surrogates become U+FFFD. */
function wellFormed(text: string): string {
  return (text as string & { toWellFormed(): string }).toWellFormed();
}
