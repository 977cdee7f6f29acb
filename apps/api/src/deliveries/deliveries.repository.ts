import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, type Repository, type SelectQueryBuilder } from 'typeorm';
import { DeliveryAttemptEntity, DeliveryEntity, type DeliveryState, type DeliveryStatus, NOTIFY_SQL, WebhookEntity } from '@app/delivery';
import { ensureDatabaseReady } from '../common/database-ready';
import { keysetPage, type KeysetPage } from '../common/keyset-page';
import { entitiesFromReturned } from '../common/returned-rows';

export interface DeliveryFilter {
  status?: DeliveryState;
  webhookId?: string;
  alertId?: string;
  eventType?: string;
  since?: string;
}

/** Every column but the payload, which can be large and only the detail view shows. */
const LISTED: (keyof DeliveryEntity)[] = [
  'id',
  'webhookId',
  'alertId',
  'eventType',
  'status',
  'attempts',
  'nextAttemptAt',
  'lastStatusCode',
  'lastError',
  'createdAt',
  'updatedAt',
  'completedAt',
];
/** A delivery with its webhook's is_active, which its DeliveryState (`paused` or not) needs. */
export type DeliveryWithWebhook = DeliveryEntity & { webhook: Pick<WebhookEntity, 'id' | 'isActive'> };
const RETRYABLE: DeliveryStatus[] = ['failed', 'succeeded'];
/** Lists are bounded even where they are not paged. */
const MAX_UNPAGED = 1000;

/** Every query of the deliveries API (the worker's claim/complete statements live in libs/delivery). */
@Injectable()
export class DeliveriesRepository {
  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(DeliveryEntity) private readonly deliveries: Repository<DeliveryEntity>,
    @InjectRepository(DeliveryAttemptEntity) private readonly attempts: Repository<DeliveryAttemptEntity>,
  ) {}

  private ready(): Repository<DeliveryEntity> {
    ensureDatabaseReady(this.dataSource);
    return this.deliveries;
  }

  /** Listed columns plus the webhook's is_active (many-to-one: one row per delivery). */
  private listed(): SelectQueryBuilder<DeliveryEntity> {
    return this.ready()
      .createQueryBuilder('d')
      .select(LISTED.map((p) => `d.${p}`))
      .innerJoin('d.webhook', 'w')
      .addSelect(['w.id', 'w.isActive']);
  }

  async page(filter: DeliveryFilter, limit: number, cursor: string | undefined): Promise<KeysetPage<DeliveryWithWebhook>> {
    const qb = this.listed();
    // DeliveryState in SQL: `paused` is a pending row of a webhook that is not active, and `pending` excludes those.
    if (filter.status === 'paused') qb.andWhere(`d.status = 'pending' AND NOT w.isActive`);
    else if (filter.status === 'pending') qb.andWhere(`d.status = 'pending' AND w.isActive`);
    else if (filter.status !== undefined) qb.andWhere('d.status = :status', { status: filter.status });
    if (filter.webhookId !== undefined) qb.andWhere('d.webhookId = :webhookId', { webhookId: filter.webhookId });
    if (filter.alertId !== undefined) qb.andWhere('d.alertId = :alertId', { alertId: filter.alertId });
    if (filter.eventType !== undefined) qb.andWhere('d.eventType = :eventType', { eventType: filter.eventType });
    if (filter.since !== undefined) qb.andWhere('d.createdAt >= :since', { since: filter.since });
    return (await keysetPage(qb, limit, cursor)) as KeysetPage<DeliveryWithWebhook>;
  }

  /** An alert's deliveries, oldest first. */
  async forAlert(alertId: string): Promise<DeliveryWithWebhook[]> {
    const qb = this.listed().where('d.alertId = :alertId', { alertId }).orderBy('d.createdAt', 'ASC').addOrderBy('d.id', 'ASC').limit(MAX_UNPAGED);
    return (await qb.getMany()) as DeliveryWithWebhook[];
  }

  /** With its payload. */
  async findById(id: string): Promise<DeliveryWithWebhook | null> {
    const qb = this.ready().createQueryBuilder('d').innerJoin('d.webhook', 'w').addSelect(['w.id', 'w.isActive']).where('d.id = :id', { id });
    return (await qb.getOne()) as DeliveryWithWebhook | null;
  }

  attemptsOf(deliveryId: string): Promise<DeliveryAttemptEntity[]> {
    ensureDatabaseReady(this.dataSource);
    return this.attempts.find({ where: { deliveryId }, order: { id: 'ASC' }, take: MAX_UNPAGED });
  }

  /**
   * Puts a finished delivery of an active webhook back in the queue, due now, with a fresh run of the retry schedule
   * (`retry_base` = attempts so far; attempt numbers keep counting). Undefined when nothing qualified.
   */
  async requeue(id: string): Promise<DeliveryWithWebhook | undefined> {
    const result = await this.ready()
      .createQueryBuilder()
      .update(DeliveryEntity)
      .set({ status: 'pending', retryBase: () => 'attempts', nextAttemptAt: () => 'now()', completedAt: null })
      .where({ id, status: In(RETRYABLE) })
      // The workers claim only deliveries of active webhooks: requeueing for a disabled one would strand it.
      .andWhere(`EXISTS (SELECT 1 FROM webhooks w WHERE w.id = deliveries.webhook_id AND w.is_active)`)
      .returning(LISTED)
      .updateEntity(false)
      .execute();
    const [row] = entitiesFromReturned(this.deliveries, result.raw);
    // Raw SQL: pg_notify has no TypeORM form; it wakes the workers now rather than at their next poll.
    if (!row) return undefined;
    await this.dataSource.query(NOTIFY_SQL);
    // Only an active webhook's delivery is requeued (the EXISTS above).
    return Object.assign(row, { webhook: { id: row.webhookId, isActive: true } });
  }

  /** A delivery's status and whether its webhook is active, to explain a refused retry. */
  async retryState(id: string): Promise<{ status: DeliveryStatus; webhookActive: boolean } | undefined> {
    const row = await this.ready()
      .createQueryBuilder('d')
      .innerJoin(WebhookEntity, 'w', 'w.id = d.webhookId')
      .select('d.status', 'status')
      .addSelect('w.isActive', 'webhookActive')
      .where('d.id = :id', { id })
      .getRawOne<{ status: DeliveryStatus; webhookActive: boolean }>();
    return row ?? undefined;
  }
}
