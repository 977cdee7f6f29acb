import { Injectable, UnprocessableEntityException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createHash, randomUUID } from 'node:crypto';
import type { QueryRunner } from 'typeorm';
import type { Env } from '@app/config';
import { type FieldErrors, ResourceNotFoundException, ValidationFailedException } from '../common/api-errors';
import { decodeCursor, encodeCursor } from '../common/cursor';
import { queryRows, SqlClient } from '../common/sql-client';
import { WithStatus } from '../common/with-status';
import { DeliveriesService } from '../deliveries/deliveries.service';
import { DeliveryOutbox, type EventType, NOTIFY_SQL, type Severity, subscribedWebhooksSql } from '@app/delivery';
import { deriveFingerprint, severityFromLabel } from './alert-fingerprint';
import type { AcknowledgeAlertDto } from './dto/acknowledge-alert.dto';
import type { AlertmanagerPayloadDto } from './dto/alertmanager-payload.dto';
import type { CreateAlertDto } from './dto/create-alert.dto';
import type { ListAlertsDto } from './dto/list-alerts.dto';

interface AlertRow {
  id: string;
  fingerprint: string;
  title: string;
  severity: Severity;
  status: 'firing' | 'resolved';
  source: string | null;
  description: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  occurrences: number;
  starts_at: Date;
  resolved_at: Date | null;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  acknowledgement_note: string | null;
  created_at: Date;
  updated_at: Date;
}

const ALERT_COLUMNS = `id, fingerprint, title, severity, status, source, description, labels, annotations, occurrences, starts_at,
  resolved_at, acknowledged_at, acknowledged_by, acknowledgement_note, created_at, updated_at`;

export function toAlertView(r: AlertRow) {
  return { ...r, acknowledged: r.acknowledged_at !== null };
}
export type AlertView = ReturnType<typeof toAlertView>;

interface AlertInput {
  fingerprint: string;
  title: string;
  severity: Severity;
  source: string | null;
  description: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string | null;
}

@Injectable()
export class AlertsService {
  private readonly limits: { labels: number; labelValue: number; annotationValue: number; idempotencyHours: number };

  constructor(
    private readonly sql: SqlClient,
    private readonly outbox: DeliveryOutbox,
    private readonly deliveries: DeliveriesService,
    config: ConfigService<Env, true>,
  ) {
    this.limits = {
      labels: config.get('ALERT_MAX_LABELS', { infer: true }),
      labelValue: config.get('ALERT_MAX_LABEL_VALUE_LENGTH', { infer: true }),
      annotationValue: config.get('ALERT_MAX_ANNOTATION_VALUE_LENGTH', { infer: true }),
      idempotencyHours: config.get('IDEMPOTENCY_TTL_HOURS', { infer: true }),
    };
  }

  /**
   * 201 with a new firing alert (and `alert.created` fanned out in the same transaction), or 200 with the existing
   * firing alert of that fingerprint, its occurrence counted and nothing fanned out. The partial unique index makes
   * this race-free: concurrent duplicates meet in `ON CONFLICT`. With an Idempotency-Key, a repeat of the same body
   * gets the stored response; the same key with another body is refused (422).
   */
  async create(dto: CreateAlertDto, subject: string, idempotencyKey?: string): Promise<WithStatus<AlertView & { deduplicated: boolean }>> {
    this.checkMaps(dto.labels, dto.annotations, '');
    const input: AlertInput = {
      fingerprint: deriveFingerprint(dto),
      title: dto.title,
      severity: dto.severity,
      source: dto.source ?? null,
      description: dto.description ?? null,
      labels: dto.labels ?? {},
      annotations: dto.annotations ?? {},
      startsAt: dto.starts_at ?? null,
    };
    // Without a key: one statement (dedup, alert, deliveries, notify), atomic on its own — one round trip.
    if (idempotencyKey === undefined) {
      const { row, inserted } = await this.sql.withRunner((runner) => this.createOrCount(runner, input));
      return new WithStatus(inserted ? 201 : 200, { ...toAlertView(row), deduplicated: !inserted });
    }
    return this.sql.transaction(async (runner) => {
      const replay = await this.claimIdempotencyKey(runner, subject, idempotencyKey, dto);
      if (replay) return replay as WithStatus<AlertView & { deduplicated: boolean }>;
      const { row, inserted } = await this.createOrCount(runner, input);
      const result = new WithStatus(inserted ? 201 : 200, { ...toAlertView(row), deduplicated: !inserted });
      await runner.query(`UPDATE idempotency_keys SET status_code = $3, response = $4 WHERE subject = $1 AND key = $2`, [
        subject,
        idempotencyKey,
        result.status,
        JSON.stringify(result.body),
      ]);
      return result;
    });
  }

  /**
   * Inserts a firing alert or counts an occurrence of the firing one with that fingerprint, and — for a new alert
   * only — writes its `alert.created` deliveries and notifies the workers, all in one statement. The new alert's id
   * and timestamps are chosen here so the event payload is exactly the stored row.
   */
  private async createOrCount(runner: QueryRunner, a: AlertInput): Promise<{ row: AlertRow; inserted: boolean }> {
    const now = new Date();
    const candidate: AlertRow = {
      id: randomUUID(),
      fingerprint: a.fingerprint,
      title: a.title,
      severity: a.severity,
      status: 'firing',
      source: a.source,
      description: a.description,
      labels: a.labels,
      annotations: a.annotations,
      occurrences: 1,
      starts_at: a.startsAt ? new Date(a.startsAt) : now,
      resolved_at: null,
      acknowledged_at: null,
      acknowledged_by: null,
      acknowledgement_note: null,
      created_at: now,
      updated_at: now,
    };
    const payload = JSON.stringify({ type: 'alert.created', timestamp: now.toISOString(), data: toAlertView(candidate) });
    const [row] = await queryRows<AlertRow & { inserted: boolean }>(
      runner,
      `WITH a AS (
         INSERT INTO alerts (id, fingerprint, title, severity, source, description, labels, annotations, starts_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
         ON CONFLICT (fingerprint) WHERE status = 'firing'
         DO UPDATE SET occurrences = alerts.occurrences + 1, updated_at = now()
         RETURNING ${ALERT_COLUMNS}, (xmax = 0) AS inserted
       ), d AS (
         INSERT INTO deliveries (webhook_id, alert_id, event_type, payload)
         SELECT s.id, a.id, 'alert.created', $11 FROM a, (${subscribedWebhooksSql("'alert.created'", '$4')}) s
         WHERE a.inserted
         RETURNING 1
       ), n AS (${NOTIFY_SQL} WHERE EXISTS (SELECT 1 FROM d))
       SELECT a.*, (SELECT count(*) FROM n) AS notified FROM a`,
      [
        candidate.id,
        a.fingerprint,
        a.title,
        a.severity,
        a.source,
        a.description,
        a.labels,
        a.annotations,
        candidate.starts_at.toISOString(),
        now.toISOString(),
        payload,
      ],
    );
    const { inserted, notified: _notified, ...alert } = row as AlertRow & { inserted: boolean; notified: unknown };
    return { row: alert, inserted };
  }

  /** Alertmanager webhook payload v4: firing alerts are created or updated by fingerprint, resolved ones resolve. */
  async ingestAlertmanager(payload: AlertmanagerPayloadDto) {
    payload.alerts.forEach((a, i) => this.checkMaps(a.labels, a.annotations, `alerts.${i}.`));
    const counts = { received: payload.alerts.length, created: 0, updated: 0, resolved: 0, ignored: 0 };
    await this.sql.transaction(async (runner) => {
      for (const a of payload.alerts) {
        const labels = a.labels ?? {};
        const annotations = a.annotations ?? {};
        const fingerprint = Object.keys(labels).length ? deriveFingerprint({ labels, title: '' }) : (a.fingerprint ?? deriveFingerprint({ title: 'alertmanager' }));
        if (a.status === 'resolved') {
          const row = await this.resolveByFingerprint(runner, fingerprint, validTime(a.endsAt));
          if (row) counts.resolved += 1;
          else counts.ignored += 1;
          continue;
        }
        const title = (annotations.summary ?? labels.alertname ?? 'Alertmanager alert').slice(0, 500);
        const { row, inserted } = await this.upsertFiring(
          runner,
          {
            fingerprint,
            title,
            severity: severityFromLabel(labels.severity),
            source: 'alertmanager',
            description: annotations.description ?? null,
            labels,
            annotations,
            startsAt: validTime(a.startsAt),
          },
          true,
        );
        if (inserted) {
          counts.created += 1;
          await this.outbox.fanOutAlertEvent(runner, 'alert.created', row.id, row.severity, toAlertView(row));
        } else {
          counts.updated += 1;
        }
      }
    });
    return counts;
  }

  async list(q: ListAlertsDto): Promise<{ items: AlertView[]; next_cursor: string | null }> {
    const limit = q.limit ?? 100;
    const pos = decodeCursor(q.cursor);
    const rows = await this.sql.rows<AlertRow>(
      `SELECT ${ALERT_COLUMNS} FROM alerts
       WHERE ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR severity = $3)
         AND ($4::boolean IS NULL OR (acknowledged_at IS NOT NULL) = $4) AND ($5::timestamptz IS NULL OR created_at >= $5)
         AND ($6::timestamptz IS NULL OR (created_at, id) < ($6::timestamptz, $7::uuid))
       ORDER BY created_at DESC, id DESC LIMIT $1`,
      [limit + 1, q.status ?? null, q.severity ?? null, q.acknowledged ?? null, q.since ?? null, pos?.createdAt ?? null, pos?.id ?? null],
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(toAlertView), next_cursor: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null };
  }

  async get(id: string) {
    const row = await this.sql.one<AlertRow>(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE id = $1`, [id]);
    if (!row) throw new ResourceNotFoundException('alert', id);
    return { ...toAlertView(row), deliveries: await this.deliveries.forAlert(id) };
  }

  /** Idempotent: the first acknowledgement wins and fans out `alert.acknowledged`; repeats change nothing. */
  async acknowledge(id: string, dto: AcknowledgeAlertDto, subject: string): Promise<AlertView> {
    return this.transition(
      id,
      'alert.acknowledged',
      `UPDATE alerts SET acknowledged_at = now(), acknowledged_by = $2, acknowledgement_note = $3, updated_at = now()
       WHERE id = $1 AND acknowledged_at IS NULL RETURNING ${ALERT_COLUMNS}`,
      [id, dto.by ?? subject, dto.note ?? null],
    );
  }

  /** Idempotent: resolving a resolved alert changes nothing. */
  async resolve(id: string): Promise<AlertView> {
    return this.transition(
      id,
      'alert.resolved',
      `UPDATE alerts SET status = 'resolved', resolved_at = now(), updated_at = now()
       WHERE id = $1 AND status = 'firing' RETURNING ${ALERT_COLUMNS}`,
      [id],
    );
  }

  private async transition(id: string, event: EventType, sql: string, params: unknown[]): Promise<AlertView> {
    return this.sql.transaction(async (runner) => {
      const [changed] = await queryRows<AlertRow>(runner, sql, params);
      if (changed) {
        await this.outbox.fanOutAlertEvent(runner, event, changed.id, changed.severity, toAlertView(changed));
        return toAlertView(changed);
      }
      const [current] = await queryRows<AlertRow>(runner, `SELECT ${ALERT_COLUMNS} FROM alerts WHERE id = $1`, [id]);
      if (!current) throw new ResourceNotFoundException('alert', id);
      return toAlertView(current);
    });
  }

  private async upsertFiring(runner: QueryRunner, a: AlertInput, refresh: boolean): Promise<{ row: AlertRow; inserted: boolean }> {
    // Alertmanager re-sends firing alerts with fresh annotations: those refresh the stored ones.
    const refreshSet = refresh
      ? `, title = EXCLUDED.title, severity = EXCLUDED.severity, description = EXCLUDED.description, labels = EXCLUDED.labels, annotations = EXCLUDED.annotations`
      : '';
    const [row] = await queryRows<AlertRow & { inserted: boolean }>(
      runner,
      `INSERT INTO alerts (fingerprint, title, severity, source, description, labels, annotations, starts_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, coalesce($8::timestamptz, now()))
       ON CONFLICT (fingerprint) WHERE status = 'firing'
       DO UPDATE SET occurrences = alerts.occurrences + 1, updated_at = now()${refreshSet}
       RETURNING ${ALERT_COLUMNS}, (xmax = 0) AS inserted`,
      [a.fingerprint, a.title, a.severity, a.source, a.description, a.labels, a.annotations, a.startsAt],
    );
    const { inserted, ...alert } = row;
    return { row: alert, inserted };
  }

  private async resolveByFingerprint(runner: QueryRunner, fingerprint: string, endsAt: string | null): Promise<AlertRow | undefined> {
    const [row] = await queryRows<AlertRow>(
      runner,
      `UPDATE alerts SET status = 'resolved', resolved_at = coalesce($2::timestamptz, now()), updated_at = now()
       WHERE fingerprint = $1 AND status = 'firing' RETURNING ${ALERT_COLUMNS}`,
      [fingerprint, endsAt],
    );
    if (row) await this.outbox.fanOutAlertEvent(runner, 'alert.resolved', row.id, row.severity, toAlertView(row));
    return row;
  }

  /**
   * Reserves the key inside the alert's transaction. A concurrent request with the same key waits on the row lock
   * and then sees the committed response. Returns the stored response to replay, or undefined to proceed.
   */
  private async claimIdempotencyKey(runner: QueryRunner, subject: string, key: string, body: object): Promise<WithStatus<unknown> | undefined> {
    if (!/^[\x21-\x7e]{1,255}$/.test(key)) throw ValidationFailedException.field('Idempotency-Key', 'must be 1-255 printable ASCII characters');
    const hash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
    const inserted = await queryRows(
      runner,
      `INSERT INTO idempotency_keys (subject, key, request_hash) VALUES ($1, $2, $3) ON CONFLICT (subject, key) DO NOTHING RETURNING key`,
      [subject, key, hash],
    );
    if (inserted.length) return undefined;
    const [stored] = await queryRows<{ request_hash: string; status_code: number | null; response: unknown; expired: boolean }>(
      runner,
      `SELECT request_hash, status_code, response, created_at < now() - $3 * interval '1 hour' AS expired
       FROM idempotency_keys WHERE subject = $1 AND key = $2 FOR UPDATE`,
      [subject, key, this.limits.idempotencyHours],
    );
    if (!stored || stored.expired || stored.status_code === null) {
      await runner.query(
        `UPDATE idempotency_keys SET request_hash = $3, status_code = NULL, response = NULL, created_at = now() WHERE subject = $1 AND key = $2`,
        [subject, key, hash],
      );
      return undefined;
    }
    if (stored.request_hash !== hash) throw new UnprocessableEntityException('Idempotency-Key was already used with a different request body');
    return new WithStatus(stored.status_code, stored.response, { 'Idempotent-Replayed': 'true' });
  }

  private checkMaps(labels: Record<string, string> | undefined, annotations: Record<string, string> | undefined, prefix: string): void {
    const errors: FieldErrors = {};
    const check = (name: string, map: Record<string, string> | undefined, maxValue: number) => {
      if (!map) return;
      const entries = Object.entries(map);
      if (entries.length > this.limits.labels) errors[`${prefix}${name}`] = [`at most ${this.limits.labels} entries`];
      const long = entries.find(([, v]) => v.length > maxValue);
      if (long) (errors[`${prefix}${name}`] ??= []).push(`value of "${long[0]}" is longer than ${maxValue} characters`);
    };
    check('labels', labels, this.limits.labelValue);
    check('annotations', annotations, this.limits.annotationValue);
    if (Object.keys(errors).length) throw new ValidationFailedException(errors);
  }
}

function validTime(value: string | undefined): string | null {
  if (!value || value.startsWith('0001-')) return null;
  return Number.isNaN(Date.parse(value)) ? null : value;
}
