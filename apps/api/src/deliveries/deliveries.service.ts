import { ConflictException, Injectable } from '@nestjs/common';
import { ResourceNotFoundException } from '../common/api-errors';
import { decodeCursor, encodeCursor } from '../common/cursor';
import { SqlClient } from '../common/sql-client';
import { DELIVERY_CHANNEL } from '@app/delivery';
import type { ListDeliveriesDto } from './dto/list-deliveries.dto';

interface DeliveryRow {
  id: string;
  webhook_id: string;
  alert_id: string | null;
  event_type: string;
  status: string;
  attempts: number;
  next_attempt_at: Date;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
}

const DELIVERY_COLUMNS = `id, webhook_id, alert_id, event_type, status, attempts, next_attempt_at, last_status_code, last_error,
  created_at, updated_at, completed_at`;

export function toDeliveryView(r: DeliveryRow) {
  return {
    id: r.id,
    webhook_id: r.webhook_id,
    alert_id: r.alert_id,
    event_type: r.event_type,
    status: r.status,
    attempts: r.attempts,
    next_attempt_at: r.status === 'pending' ? r.next_attempt_at : null,
    last_status_code: r.last_status_code,
    last_error: r.last_error,
    created_at: r.created_at,
    updated_at: r.updated_at,
    completed_at: r.completed_at,
  };
}
export type DeliveryView = ReturnType<typeof toDeliveryView>;

@Injectable()
export class DeliveriesService {
  constructor(private readonly sql: SqlClient) {}

  async list(q: ListDeliveriesDto): Promise<{ items: DeliveryView[]; next_cursor: string | null }> {
    const limit = q.limit ?? 100;
    const pos = decodeCursor(q.cursor);
    const rows = await this.sql.rows<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM deliveries
       WHERE ($2::text IS NULL OR status = $2) AND ($3::uuid IS NULL OR webhook_id = $3) AND ($4::uuid IS NULL OR alert_id = $4)
         AND ($5::text IS NULL OR event_type = $5) AND ($6::timestamptz IS NULL OR created_at >= $6)
         AND ($7::timestamptz IS NULL OR (created_at, id) < ($7::timestamptz, $8::uuid))
       ORDER BY created_at DESC, id DESC LIMIT $1`,
      [limit + 1, q.status ?? null, q.webhook_id ?? null, q.alert_id ?? null, q.event_type ?? null, q.since ?? null, pos?.createdAt ?? null, pos?.id ?? null],
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(toDeliveryView), next_cursor: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null };
  }

  async forAlert(alertId: string): Promise<DeliveryView[]> {
    const rows = await this.sql.rows<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE alert_id = $1 ORDER BY created_at, id LIMIT 1000`,
      [alertId],
    );
    return rows.map(toDeliveryView);
  }

  async get(id: string) {
    const row = await this.sql.one<DeliveryRow & { payload: string }>(`SELECT ${DELIVERY_COLUMNS}, payload FROM deliveries WHERE id = $1`, [id]);
    if (!row) throw new ResourceNotFoundException('delivery', id);
    const attempts = await this.sql.rows(
      `SELECT attempt, success, status_code, error, response_body, duration_ms, started_at
       FROM delivery_attempts WHERE delivery_id = $1 ORDER BY id LIMIT 1000`,
      [id],
    );
    return { ...toDeliveryView(row), payload: JSON.parse(row.payload) as unknown, attempts };
  }

  /**
   * Puts a finished (failed or succeeded) delivery back in the queue, due now, with a fresh run of the retry
   * schedule; attempt numbers keep counting, so the attempt log stays in order.
   */
  async retry(id: string): Promise<DeliveryView> {
    const row = await this.sql.one<DeliveryRow>(
      `UPDATE deliveries SET status = 'pending', retry_base = attempts, next_attempt_at = now(), completed_at = NULL, updated_at = now()
       WHERE id = $1 AND status IN ('failed', 'succeeded') RETURNING ${DELIVERY_COLUMNS}`,
      [id],
    );
    if (!row) {
      const exists = await this.sql.one<{ status: string }>(`SELECT status FROM deliveries WHERE id = $1`, [id]);
      if (!exists) throw new ResourceNotFoundException('delivery', id);
      throw new ConflictException(`delivery is ${exists.status}; only failed or succeeded deliveries can be retried`);
    }
    await this.sql.rows(`SELECT pg_notify('${DELIVERY_CHANNEL}', '')`);
    return toDeliveryView(row);
  }
}
