import { Injectable } from '@nestjs/common';
import { TwoTierCache } from '@app/cache';
import { canonicalMatchers } from '@app/routing';
import { generateWebhookSecret } from '@app/delivery';
import { ResourceNotFoundException } from '../common/api-errors';
import type { PageQueryDto } from '../common/list-query.dto';
import { DeliveriesService } from '../deliveries/deliveries.service';
import type { CreateWebhookDto } from './dto/create-webhook.dto';
import type { UpdateWebhookDto } from './dto/update-webhook.dto';
import { WebhookDisabledException } from './webhook-disabled.exception';
import { WebhookUrlPolicy } from './webhook-url-policy';
import { toWebhookView, type WebhookView } from './webhook-view';
import { type WebhookChanges, WebhooksRepository } from './webhooks.repository';
import type { WebhookTestData } from '../event-types/event-catalogue';

/** During a rotation the old secret keeps signing alongside the new one this long. */
export const ROTATION_OVERLAP_HOURS = 24;

/**
 * What health shows of a webhook row: its name, and through is_active its state, disabled reason and enabled_at (the
 * start of its record). A PATCH of anything else (url, headers, description, filters) or a rotation leaves health as
 * it was, so it keeps its cache entries.
 */
const HEALTH_FIELDS: ReadonlyArray<keyof WebhookChanges> = ['name', 'isActive'];

@Injectable()
export class WebhooksService {
  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly deliveries: DeliveriesService,
    private readonly urlPolicy: WebhookUrlPolicy,
    private readonly cache: TwoTierCache,
  ) {}

  /**
   * After commit, before answering: the webhook, the first pages and (when what it shows changed) health are dropped
   * everywhere.
   */
  private async changed(id: string, health = true): Promise<void> {
    const drops = [this.cache.invalidate('webhook', id), this.cache.invalidate('webhooks-page')];
    if (health) drops.push(this.cache.invalidate('health'));
    await Promise.all(drops);
  }

  /** The only response (with rotation) that carries the secret. */
  async create(dto: CreateWebhookDto): Promise<WebhookView & { secret: string }> {
    this.urlPolicy.assertAllowed(dto.url);
    const secret = generateWebhookSecret();
    const row = await this.webhooks.insert({
      name: dto.name,
      url: dto.url,
      description: dto.description ?? null,
      eventTypes: dto.event_types ?? [],
      minSeverity: dto.min_severity ?? null,
      matchers: canonicalMatchers(dto.matchers ?? []),
      headers: dto.headers ?? {},
      rateLimitPerSecond: dto.rate_limit_per_second ?? null,
      isActive: dto.is_active ?? true,
      secret,
    });
    await this.changed(row.id);
    return { ...toWebhookView(row), secret };
  }

  async list(limit = 100, cursor?: string): Promise<{ items: WebhookView[]; total: number; next_cursor: string | null }> {
    if (cursor === undefined) return this.cache.getOrLoad('webhooks-page', `first:${limit}`, () => this.loadPage(limit));
    return this.loadPage(limit, cursor);
  }

  private async loadPage(limit: number, cursor?: string): Promise<{ items: WebhookView[]; total: number; next_cursor: string | null }> {
    const page = await this.webhooks.page(limit, cursor);
    const total = await this.webhooks.count();
    return { items: page.rows.map(toWebhookView), total, next_cursor: page.next_cursor };
  }

  /** Cache warming: the first page, and each webhook on it by id (from the page, no further query). */
  async warm(): Promise<number> {
    const page = await this.list();
    await Promise.all(page.items.map((w) => this.cache.getOrLoad('webhook', w.id, () => Promise.resolve(w))));
    return 1 + page.items.length;
  }

  async get(id: string): Promise<WebhookView> {
    // A miss is not cached (the loader throws): a webhook created later is found at once.
    return this.cache.getOrLoad('webhook', id, async () => {
      const row = await this.webhooks.findById(id);
      if (!row) throw new ResourceNotFoundException('webhook', id);
      return toWebhookView(row);
    });
  }

  async update(id: string, dto: UpdateWebhookDto): Promise<WebhookView> {
    this.urlPolicy.assertAllowed(dto.url);
    const changes: WebhookChanges = {
      name: dto.name,
      url: dto.url,
      description: dto.description,
      eventTypes: dto.event_types,
      minSeverity: dto.min_severity,
      matchers: dto.matchers && canonicalMatchers(dto.matchers),
      headers: dto.headers,
      rateLimitPerSecond: dto.rate_limit_per_second,
      isActive: dto.is_active,
    };
    // Absent means unchanged.
    for (const key of Object.keys(changes) as (keyof WebhookChanges)[]) if (changes[key] === undefined) delete changes[key];
    const row = await this.webhooks.update(id, changes);
    if (!row) throw new ResourceNotFoundException('webhook', id);
    await this.changed(
      id,
      HEALTH_FIELDS.some((field) => field in changes),
    );
    return toWebhookView(row);
  }

  async remove(id: string): Promise<void> {
    if (!(await this.webhooks.delete(id))) throw new ResourceNotFoundException('webhook', id);
    await this.changed(id);
  }

  async rotateSecret(id: string): Promise<WebhookView & { secret: string }> {
    const secret = generateWebhookSecret();
    const row = await this.webhooks.rotateSecret(id, secret, ROTATION_OVERLAP_HOURS);
    if (!row) throw new ResourceNotFoundException('webhook', id);
    await this.changed(id, false);
    return { ...toWebhookView(row), secret };
  }

  async sendTest(id: string): Promise<{ delivery_id: string; webhook_id: string; status: 'pending' }> {
    const data: WebhookTestData = { webhook_id: id, message: 'Test delivery from Signalgate' };
    const outcome = await this.webhooks.enqueueTestPing(id, data);
    if (!outcome.queued && outcome.reason === 'not_found') throw new ResourceNotFoundException('webhook', id);
    if (!outcome.queued) throw new WebhookDisabledException();
    return { delivery_id: outcome.deliveryId, webhook_id: id, status: 'pending' };
  }

  async listDeliveries(id: string, page: PageQueryDto) {
    if (!(await this.webhooks.exists(id))) throw new ResourceNotFoundException('webhook', id);
    return this.deliveries.list({ ...page, webhook_id: id });
  }
}
