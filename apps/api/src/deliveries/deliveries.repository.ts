import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type FindOptionsSelect, In, type Repository } from 'typeorm';
import { DeliveryAttemptEntity, DeliveryEntity, type DeliveryStatus, NOTIFY_SQL, WebhookEntity } from '@app/delivery';
import { ensureDatabaseReady } from '../common/database-ready';
import { keysetPage, type KeysetPage } from '../common/keyset-page';
import { entitiesFromReturned } from '../common/returned-rows';

export interface DeliveryFilter {
  status?: string;
  webhookId?: string;
  alertId?: string;
  eventType?: string;
  since?: string;
}

/** Every column but the payload, which can be large and only the detail view shows. */
const LISTED: (keyof DeliveryEntity)[] = [
  'id', 'webhookId', 'alertId', 'eventType', 'status', 'attempts', 'nextAttemptAt', 'lastStatusCode', 'lastError', 'createdAt', 'updatedAt', 'completedAt',
];
const LISTED_SELECT = Object.fromEntries(LISTED.map((p) => [p, true])) as FindOptionsSelect<DeliveryEntity>;
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

  page(filter: DeliveryFilter, limit: number, cursor: string | undefined): Promise<KeysetPage<DeliveryEntity>> {
    const qb = this.ready().createQueryBuilder('d').select(LISTED.map((p) => `d.${p}`));
    if (filter.status !== undefined) qb.andWhere('d.status = :status', { status: filter.status });
    if (filter.webhookId !== undefined) qb.andWhere('d.webhookId = :webhookId', { webhookId: filter.webhookId });
    if (filter.alertId !== undefined) qb.andWhere('d.alertId = :alertId', { alertId: filter.alertId });
    if (filter.eventType !== undefined) qb.andWhere('d.eventType = :eventType', { eventType: filter.eventType });
    if (filter.since !== undefined) qb.andWhere('d.createdAt >= :since', { since: filter.since });
    return keysetPage(qb, limit, cursor);
  }

  /** An alert's deliveries, oldest first. */
  forAlert(alertId: string): Promise<DeliveryEntity[]> {
    return this.ready().find({ select: LISTED_SELECT, where: { alertId }, order: { createdAt: 'ASC', id: 'ASC' }, take: MAX_UNPAGED });
  }

  /** With its payload. */
  findById(id: string): Promise<DeliveryEntity | null> {
    return this.ready().findOneBy({ id });
  }

  attemptsOf(deliveryId: string): Promise<DeliveryAttemptEntity[]> {
    ensureDatabaseReady(this.dataSource);
    return this.attempts.find({ where: { deliveryId }, order: { id: 'ASC' }, take: MAX_UNPAGED });
  }

  /**
   * Puts a finished delivery of an active webhook back in the queue, due now, with a fresh run of the retry schedule
   * (`retry_base` = attempts so far; attempt numbers keep counting). Undefined when nothing qualified.
   */
  async requeue(id: string): Promise<DeliveryEntity | undefined> {
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
    if (row) await this.dataSource.query(NOTIFY_SQL);
    return row;
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
