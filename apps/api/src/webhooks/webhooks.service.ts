import { ConflictException, Injectable } from '@nestjs/common';
import { ResourceNotFoundException } from '../common/api-errors';
import { decodeCursor, encodeCursor } from '../common/cursor';
import { queryRows, SqlClient } from '../common/sql-client';
import type { PageQueryDto } from '../common/list-query.dto';
import { DeliveriesService } from '../deliveries/deliveries.service';
import { DeliveryOutbox } from '@app/delivery';
import { generateWebhookSecret } from '@app/delivery';
import type { CreateWebhookDto } from './dto/create-webhook.dto';
import type { UpdateWebhookDto } from './dto/update-webhook.dto';
import { WebhookUrlPolicy } from './webhook-url-policy';
import { toWebhookView, WEBHOOK_COLUMNS, type WebhookRow, type WebhookView } from './webhook-view';

/** During a rotation the old secret keeps signing alongside the new one this long. */
export const ROTATION_OVERLAP_HOURS = 24;

@Injectable()
export class WebhooksService {
  constructor(
    private readonly sql: SqlClient,
    private readonly outbox: DeliveryOutbox,
    private readonly deliveries: DeliveriesService,
    private readonly urlPolicy: WebhookUrlPolicy,
  ) {}

  /** The only response (with rotation) that carries the secret. */
  async create(dto: CreateWebhookDto): Promise<WebhookView & { secret: string }> {
    this.urlPolicy.assertAllowed(dto.url);
    const secret = generateWebhookSecret();
    const [row] = await this.sql.rows<WebhookRow>(
      `INSERT INTO webhooks (name, url, description, event_types, min_severity, headers, is_active, secret)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${WEBHOOK_COLUMNS}`,
      [dto.name, dto.url, dto.description ?? null, dto.event_types ?? [], dto.min_severity ?? null, dto.headers ?? {}, dto.is_active ?? true, secret],
    );
    return { ...toWebhookView(row), secret };
  }

  async list(limit = 100, cursor?: string): Promise<{ items: WebhookView[]; total: number; next_cursor: string | null }> {
    const pos = decodeCursor(cursor);
    const rows = await this.sql.rows<WebhookRow>(
      `SELECT ${WEBHOOK_COLUMNS} FROM webhooks
       WHERE ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
       ORDER BY created_at DESC, id DESC LIMIT $1`,
      [limit + 1, pos?.createdAt ?? null, pos?.id ?? null],
    );
    const [{ total }] = await this.sql.rows<{ total: number }>(`SELECT count(*)::int AS total FROM webhooks`);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(toWebhookView), total, next_cursor: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null };
  }

  async get(id: string): Promise<WebhookView> {
    const row = await this.sql.one<WebhookRow>(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE id = $1`, [id]);
    if (!row) throw new ResourceNotFoundException('webhook', id);
    return toWebhookView(row);
  }

  async update(id: string, dto: UpdateWebhookDto): Promise<WebhookView> {
    this.urlPolicy.assertAllowed(dto.url);
    const sets: string[] = [];
    const params: unknown[] = [id];
    const set = (column: string, value: unknown) => {
      params.push(value);
      sets.push(`${column} = $${params.length}`);
    };
    if (dto.name !== undefined) set('name', dto.name);
    if (dto.url !== undefined) set('url', dto.url);
    if (dto.description !== undefined) set('description', dto.description);
    if (dto.event_types !== undefined) set('event_types', dto.event_types);
    if (dto.min_severity !== undefined) set('min_severity', dto.min_severity);
    if (dto.headers !== undefined) set('headers', dto.headers);
    if (dto.is_active === true) {
      // Re-enabling starts a fresh health record: earlier failures no longer count.
      sets.push(`enabled_at = CASE WHEN is_active THEN enabled_at ELSE now() END`, 'disabled_reason = NULL', 'disabled_at = NULL', 'is_active = true');
    } else if (dto.is_active === false) {
      sets.push('is_active = false', `disabled_reason = coalesce(disabled_reason, 'disabled through the API')`, 'disabled_at = coalesce(disabled_at, now())');
    }
    sets.push('updated_at = now()');
    const row = await this.sql.one<WebhookRow>(`UPDATE webhooks SET ${sets.join(', ')} WHERE id = $1 RETURNING ${WEBHOOK_COLUMNS}`, params);
    if (!row) throw new ResourceNotFoundException('webhook', id);
    return toWebhookView(row);
  }

  async remove(id: string): Promise<void> {
    const rows = await this.sql.rows<{ id: string }>(`DELETE FROM webhooks WHERE id = $1 RETURNING id`, [id]);
    if (rows.length === 0) throw new ResourceNotFoundException('webhook', id);
  }

  async rotateSecret(id: string): Promise<WebhookView & { secret: string }> {
    const secret = generateWebhookSecret();
    const row = await this.sql.one<WebhookRow>(
      `UPDATE webhooks SET previous_secret = secret, previous_secret_expires_at = now() + interval '${ROTATION_OVERLAP_HOURS} hours',
              secret = $2, updated_at = now()
       WHERE id = $1 RETURNING ${WEBHOOK_COLUMNS}`,
      [id, secret],
    );
    if (!row) throw new ResourceNotFoundException('webhook', id);
    return { ...toWebhookView(row), secret };
  }

  async sendTest(id: string): Promise<{ delivery_id: string; webhook_id: string; status: 'pending' }> {
    return this.sql.transaction(async (runner) => {
      const [row] = await queryRows<{ is_active: boolean }>(runner, `SELECT is_active FROM webhooks WHERE id = $1`, [id]);
      if (!row) throw new ResourceNotFoundException('webhook', id);
      if (!row.is_active) throw new ConflictException('webhook is disabled; PATCH it with is_active=true first');
      const deliveryId = await this.outbox.enqueueTest(runner, id, { webhook_id: id, message: 'Test delivery from Signalgate' });
      return { delivery_id: deliveryId, webhook_id: id, status: 'pending' as const };
    });
  }

  async listDeliveries(id: string, page: PageQueryDto) {
    const row = await this.sql.one(`SELECT 1 FROM webhooks WHERE id = $1`, [id]);
    if (!row) throw new ResourceNotFoundException('webhook', id);
    return this.deliveries.list({ ...page, webhook_id: id });
  }
}
